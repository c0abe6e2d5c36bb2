#!/usr/bin/env python3
"""tcp_relay LISTEN_PORT TARGET_PORT: forwards every TCP connection on 127.0.0.1:LISTEN_PORT to
127.0.0.1:TARGET_PORT. Killing this process cuts every relayed connection at once without any
MySQL-level goodbye, like a backend host dying, while the server behind keeps running. Not a test."""
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


async def relay(client_reader, client_writer, target_port):
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))


async def main(listen_port, target_port):
    server = await asyncio.start_server(lambda r, w: relay(r, w, target_port), "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
