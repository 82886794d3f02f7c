"""Staff accounts (staff/accounts.py): argon2id hashes, one refusal for every wrong login,
and a lock after repeated failures, whether the name exists or not."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Timer
from typing import Callable, List

import pytest
from argon2 import PasswordHasher

from staff.accounts import AccountError, Accounts, LoginResult
from tests.support.staff_app import CHEAP_HASHER, Clock, CountingHasher

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path: Path, clock: Clock) -> Accounts:
    return Accounts(
        tmp_path / "staff.db",
        max_failures=3,
        lockout_seconds=300,
        hasher=CHEAP_HASHER,
        clock=clock,
    )


def stored_hashes(db: Path) -> List[str]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT password_hash FROM users")]


def test_a_new_account_logs_in_with_its_password_stored_as_an_argon2id_hash(
    accounts: Accounts,
) -> None:
    assert accounts.set_password("Ana", PASSWORD) is True
    assert accounts.names() == ["ana"]
    [stored] = stored_hashes(accounts.db)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    result = accounts.verify("ana", PASSWORD)
    assert result.ok and result.name == "ana"
    # Names are not case-sensitive, and spaces around them do not count.
    assert accounts.verify("  ANA ", PASSWORD).ok


def test_the_default_hasher_is_argon2id(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "staff.db")
    accounts.set_password("ana", PASSWORD)
    assert stored_hashes(accounts.db)[0].startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    wrong = accounts.verify("ana", "not the password")
    unknown = accounts.verify("nobody", PASSWORD)
    assert not wrong.ok and not unknown.ok
    assert (wrong.locked, unknown.locked) == (False, False)


def test_a_new_password_replaces_the_old_one(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    assert accounts.set_password("ana", "another long password") is False
    assert not accounts.verify("ana", PASSWORD).ok
    assert accounts.verify("ana", "another long password").ok
    assert accounts.names() == ["ana"]


@pytest.mark.parametrize("name", ["", "has space", "-dash-first", "x" * 65, "ana/../../etc"])
def test_unusable_names_are_refused_in_plain_words(accounts: Accounts, name: str) -> None:
    with pytest.raises(AccountError, match="letters, digits"):
        accounts.set_password(name, PASSWORD)


def test_a_short_password_is_refused(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="too short: use at least 10 characters"):
        accounts.set_password("ana", "short")
    assert accounts.names() == []


def test_repeated_failures_lock_the_name_for_a_while(accounts: Accounts, clock: Clock) -> None:
    accounts.set_password("ana", PASSWORD)
    for _ in range(3):
        assert not accounts.verify("ana", "guess").ok
    # Locked: even the right password is refused, and the answer says for how long.
    locked = accounts.verify("ana", PASSWORD)
    assert not locked.ok and locked.locked
    assert locked.locked_seconds == pytest.approx(300)
    clock.now += 299
    assert accounts.verify("ana", PASSWORD).locked
    # When the time is up, the right password works again.
    clock.now += 2
    assert accounts.verify("ana", PASSWORD).ok


def test_a_success_resets_the_count_of_failures(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    for _ in range(2):
        accounts.verify("ana", "guess")
    assert accounts.verify("ana", PASSWORD).ok
    for _ in range(2):
        assert not accounts.verify("ana", "guess").locked
    assert accounts.verify("ana", PASSWORD).ok


def test_an_unknown_name_is_locked_too_so_the_lock_tells_nothing(accounts: Accounts) -> None:
    for _ in range(3):
        accounts.verify("nobody", "guess")
    assert accounts.verify("nobody", "guess").locked


def test_failures_of_one_name_do_not_lock_another(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    accounts.set_password("ben", PASSWORD)
    for _ in range(3):
        accounts.verify("ben", "guess")
    assert accounts.verify("ben", PASSWORD).locked
    assert accounts.verify("ana", PASSWORD).ok


def test_a_new_password_unlocks_the_name(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    for _ in range(3):
        accounts.verify("ana", "guess")
    accounts.set_password("ana", "a brand new password")
    assert accounts.verify("ana", "a brand new password").ok


def test_an_account_can_be_removed(accounts: Accounts) -> None:
    accounts.set_password("ana", PASSWORD)
    assert accounts.delete("ana") is True
    assert accounts.delete("ana") is False
    assert not accounts.verify("ana", PASSWORD).ok


def test_a_hash_made_with_weaker_settings_is_upgraded_at_login(tmp_path: Path) -> None:
    db = tmp_path / "staff.db"
    Accounts(db, hasher=CHEAP_HASHER).set_password("ana", PASSWORD)
    stronger = Accounts(db)
    assert stronger.verify("ana", PASSWORD).ok
    assert stored_hashes(db)[0].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert stronger.verify("ana", PASSWORD).ok


# Attacks on the lock (issue 16, finding 1).


@pytest.fixture
def counting() -> CountingHasher:
    return CountingHasher()


def limited(tmp_path: Path, clock: Clock, hasher: PasswordHasher, **limits: int) -> Accounts:
    return Accounts(
        tmp_path / "staff.db", lockout_seconds=300, hasher=hasher, clock=clock, **limits
    )


def in_parallel(calls: List[Callable[[], LoginResult]]) -> List[LoginResult]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_parallel_guesses_cannot_check_more_passwords_than_the_lock_allows(
    tmp_path: Path, clock: Clock, counting: CountingHasher
) -> None:
    accounts = limited(tmp_path, clock, counting, max_failures=3)
    accounts.set_password("ana", PASSWORD)
    # Twenty guesses at once, each held inside the slow password check for a moment:
    # every one of them read "no failures yet" before the lock was written.
    counting.gate.clear()
    Timer(0.5, counting.gate.set).start()
    results = in_parallel([lambda: accounts.verify("ana", "guess") for _ in range(20)])
    assert not any(result.ok for result in results)
    assert counting.checks == 3
    assert sum(result.locked for result in results) == 17
    # The lock holds, for the right password too.
    assert accounts.verify("ana", PASSWORD).locked
    assert counting.checks == 3


def test_a_guess_still_being_checked_does_not_undo_a_lock(
    tmp_path: Path, clock: Clock, counting: CountingHasher
) -> None:
    accounts = limited(tmp_path, clock, counting, max_failures=3)
    accounts.set_password("ana", PASSWORD)
    counting.hold_next()
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(accounts.verify, "ana", "slow guess")
        assert counting.holding.wait(timeout=5)
        # Meanwhile two more wrong passwords lock the name ...
        for _ in range(2):
            assert not accounts.verify("ana", "guess").ok
        # ... and the first guess, finishing last, must not unlock it.
        counting.release.set()
        assert not slow.result().ok
    assert accounts.verify("ana", PASSWORD).locked


def test_one_address_trying_many_names_is_stopped_before_any_password_is_checked(
    tmp_path: Path, clock: Clock, counting: CountingHasher
) -> None:
    accounts = limited(tmp_path, clock, counting, max_failures=3, max_address_failures=10)
    accounts.set_password("ana", PASSWORD)
    for number in range(10):
        assert not accounts.verify(f"name{number}", "guess", address="203.0.113.9").ok
    assert counting.checks == 10
    # A flood of random names from that address costs no more hashing ...
    for number in range(10, 60):
        result = accounts.verify(f"name{number}", "guess", address="203.0.113.9")
        assert result.locked and result.locked_seconds == pytest.approx(300)
    assert accounts.verify("ana", PASSWORD, address="203.0.113.9").locked
    assert counting.checks == 10
    # ... and the clinic's own address is not affected.
    assert accounts.verify("ana", PASSWORD, address="198.51.100.7").ok
    clock.now += 301
    assert accounts.verify("ana", PASSWORD, address="203.0.113.9").ok


def test_failures_from_another_address_cannot_lock_a_colleague_out(
    tmp_path: Path, clock: Clock, counting: CountingHasher
) -> None:
    accounts = limited(tmp_path, clock, counting, max_failures=3, max_address_failures=10)
    accounts.set_password("ana", PASSWORD)
    for _ in range(30):
        assert not accounts.verify("ana", "guess", address="203.0.113.9").ok
    assert accounts.verify("ana", PASSWORD, address="203.0.113.9").locked
    # Ana, at the clinic, logs in as usual.
    assert accounts.verify("ana", PASSWORD, address="198.51.100.7").ok


def test_guesses_spread_over_many_addresses_lock_the_name_at_a_higher_ceiling(
    tmp_path: Path, clock: Clock, counting: CountingHasher
) -> None:
    accounts = limited(
        tmp_path, clock, counting, max_failures=3, max_address_failures=10, max_name_failures=12
    )
    accounts.set_password("ana", PASSWORD)
    for number in range(12):
        assert not accounts.verify("ana", "guess", address=f"203.0.113.{number}").ok
    assert accounts.verify("ana", PASSWORD, address="198.51.100.7").locked
    assert counting.checks == 12


def test_the_name_visitors_see_is_kept_per_account_tidied(accounts: Accounts) -> None:
    accounts.set_password("amartinez", PASSWORD)
    accounts.set_password("ben", PASSWORD)
    assert accounts.shown_as("amartinez") == ""

    assert accounts.set_shown_as("AMartinez", "  Ana   M. ") == "Ana M."

    assert accounts.shown_as("amartinez") == "Ana M."
    assert accounts.shown_as("ben") == ""
    assert accounts.shown_as("nobody") == ""
    # A new password leaves it as it is.
    accounts.set_password("amartinez", PASSWORD + "!")
    assert accounts.shown_as("amartinez") == "Ana M."
    assert accounts.set_shown_as("ben", "Zoë O'Neil-Łukasz") == "Zoë O'Neil-Łukasz"


UNUSABLE_SHOWN_AS = ["", "   ", "A" * 41, "Ana <b>", "ana@clinic", "- Ana", "Ana\x00M"]


@pytest.mark.parametrize("text", UNUSABLE_SHOWN_AS)
def test_a_name_for_visitors_that_cannot_be_used_is_refused_and_nothing_changes(
    accounts: Accounts, text: str
) -> None:
    accounts.set_password("ana", PASSWORD)
    accounts.set_shown_as("ana", "Ana")
    with pytest.raises(AccountError, match="The name visitors see is 1 to 40 letters"):
        accounts.set_shown_as("ana", text)
    assert accounts.shown_as("ana") == "Ana"


def test_no_name_for_visitors_is_kept_without_an_account(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="There is no account 'nobody'"):
        accounts.set_shown_as("nobody", "Nobody")
    assert accounts.names() == []


def test_a_staff_database_made_before_the_live_chat_gets_the_column(tmp_path: Path) -> None:
    db = tmp_path / "staff.db"
    with sqlite3.connect(db) as connection:
        connection.execute(
            "CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
            "created REAL NOT NULL, changed REAL NOT NULL)"
        )
        connection.execute("INSERT INTO users VALUES ('ana', 'x', 0, 0)")

    accounts = Accounts(db, hasher=CHEAP_HASHER)

    assert accounts.shown_as("ana") == ""
    assert accounts.set_shown_as("ana", "Ana") == "Ana"
    assert Accounts(db, hasher=CHEAP_HASHER).shown_as("ana") == "Ana"
