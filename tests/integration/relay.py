"""A small TCP relay for fault tests: delay, random connection loss, and cuts on a signal.

Run in a test's own network namespace: ``python -m tests.integration.relay LISTEN TARGET
--delay-ms 50 --loss 0.02 --rate-kbps 100``. Each chunk is held for the delay each
way; each chunk has the given chance of killing its connection (what a lossy radio
link does to a long transfer); a rate caps each direction (a slow link, and a
transfer long enough to be cut in the middle however fast the machine); SIGUSR1
cuts every open connection at once (the cable pulled) and, with ``--down-s S``, refuses
new ones for S seconds (the cable stays out: a client that opens a connection per
request cannot slip through between two of them).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal


async def pipe(reader, writer, delay: float, loss: float, rng: random.Random, rate: float) -> None:
    try:
        while True:
            data = await reader.read(16384)
            if not data:
                break
            await asyncio.sleep(delay)
            if rng.random() < loss:
                break
            writer.write(data)
            await writer.drain()
            if rate:
                await asyncio.sleep(len(data) / rate)
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("listen")
    parser.add_argument("target")
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--loss", type=float, default=0.0)
    parser.add_argument("--rate-kbps", type=float, default=0, help="kB/s each way; 0: no cap")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--down-s", type=float, default=0, help="after a cut, refuse for S s")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    host, port = args.listen.rsplit(":", 1)
    thost, tport = args.target.rsplit(":", 1)
    tasks: set[asyncio.Task] = set()
    loop = asyncio.get_running_loop()
    down_until = [0.0]

    async def handle(reader, writer) -> None:
        if loop.time() < down_until[0]:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(thost, int(tport))
        except OSError:
            writer.close()
            return
        delay, rate = args.delay_ms / 1000, args.rate_kbps * 1000
        pair = {
            asyncio.ensure_future(pipe(reader, up_writer, delay, args.loss, rng, rate)),
            asyncio.ensure_future(pipe(up_reader, writer, delay, args.loss, rng, rate)),
        }
        tasks.update(pair)
        await asyncio.wait(pair, return_when=asyncio.FIRST_COMPLETED)
        for task in pair:
            task.cancel()
        tasks.difference_update(pair)
        up_writer.close()
        writer.close()

    def cut() -> None:
        down_until[0] = loop.time() + args.down_s
        for task in list(tasks):
            task.cancel()

    loop.add_signal_handler(signal.SIGUSR1, cut)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    server = await asyncio.start_server(handle, host, int(port))
    print("relay ready", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
