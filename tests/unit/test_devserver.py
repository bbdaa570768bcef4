"""The local stack's helpers: the single-instance lock and the mail catcher."""

from __future__ import annotations

import asyncio
import fcntl
import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from lotsen.devserver.mailcatcher import start_mailcatcher
from lotsen.kafka.broker import free_port


def test_a_second_make_run_says_lotsen_is_already_running(tmp_path: Path) -> None:
    lock = os.open(tmp_path / "run.lock", os.O_RDWR | os.O_CREAT)
    os.write(lock, b"4242")
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lotsen.devserver"],
            env={**os.environ, "LOTSEN_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(lock)
    assert result.returncode == 1
    assert "already running here (pid 4242)" in result.stderr


async def test_the_mail_catcher_writes_each_message_to_the_outbox(tmp_path: Path) -> None:
    port = free_port()
    controller = start_mailcatcher(tmp_path / "outbox", port=port)
    try:
        message = EmailMessage()
        message["From"] = "lotsen@karlskoga.example"
        message["To"] = "erik@example.se"
        message["Subject"] = "Vi har tagit emot ditt ärende [KGA-2026-000001]"
        message.set_content("Hej! Ditt ärende har referensnummer KGA-2026-000001.")

        def send() -> None:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(message)

        await asyncio.to_thread(send)
    finally:
        controller.stop()
    [written] = list((tmp_path / "outbox").glob("*.eml"))
    content = written.read_text(encoding="utf-8")
    assert "X-Lotsen-Envelope-To: erik@example.se" in content
    assert "KGA-2026-000001" in content


def test_a_port_just_released_by_a_stopped_server_counts_as_free() -> None:
    """``make run`` right after Ctrl-C: the old server's closed connections sit in TIME_WAIT."""
    import socket

    from lotsen.kafka.broker import port_is_free

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    assert not port_is_free(port), "a listening port is taken"
    served.close()  # the server closes first: its side of the connection goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    assert port_is_free(port)
