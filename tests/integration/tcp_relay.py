#!/usr/bin/env python3
"""tcp_relay LISTEN_PORT TARGET_PORT [--strip-tls]: forwards every TCP connection on
127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT. Killing this process cuts every relayed connection
at once without any MySQL-level goodbye, like a backend host dying, while the server behind keeps
running. --strip-tls clears CLIENT_SSL in the server's greeting: the server looks like one that
does not offer TLS (clients stay plaintext). Not a test."""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


CLIENT_SSL = 0x0800


async def greeting_without_tls(reader):
    """The server's first packet (HandshakeV10) with CLIENT_SSL cleared; other packets as they are."""
    header = await reader.readexactly(4)
    payload = bytearray(await reader.readexactly(int.from_bytes(header[:3], "little")))
    if payload[:1] == b"\x0a":
        # protocol version, server version NUL-terminated, thread id (4), scramble (8), filler (1),
        # then the low 16 capability bits.
        caps = payload.index(0, 1) + 1 + 4 + 8 + 1
        payload[caps + 1] &= ~(CLIENT_SSL >> 8) & 0xFF
    return header + bytes(payload)


async def relay(client_reader, client_writer, target_port, strip_tls):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
        if strip_tls:
            client_writer.write(await greeting_without_tls(server_reader))
            await client_writer.drain()
    except (OSError, asyncio.IncompleteReadError, ValueError):
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def main(listen_port, target_port, strip_tls):
    server = await asyncio.start_server(lambda r, w: relay(r, w, target_port, strip_tls), "127.0.0.1",
                                        listen_port)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), "--strip-tls" in sys.argv[3:]))
