"""The clinic's facts (``clinic.yml``), for every part that names the clinic.

``config`` is the typed loader (name, phone, booking link, hours, emergency number,
branding, the live handoff); ``hours`` the chat's opening hours of the handoff section and
the clock they are judged by; ``settings`` says where the file is (``CLINIC_CONFIG``) and
what time it is for tests (``CLINIC_NOW``). The action server, the
Rasa server's response generator, the channels, the website and the staff app all read the
clinic through :func:`clinic.config.get_clinic`.
"""
