"""The clinic's facts (``clinic.yml``), for every part that names the clinic.

``config`` is the typed loader (name, phone, booking link, hours, emergency number,
branding); ``settings`` says where the file is (``CLINIC_CONFIG``). The action server, the
Rasa server's response generator, the channels, the website and the staff app all read the
clinic through :func:`clinic.config.get_clinic`.
"""
