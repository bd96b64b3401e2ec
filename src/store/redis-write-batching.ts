/**
 * A single-server ioredis client whose writes of one event-loop turn leave in one syscall.
 *
 * ioredis writes every command with its own `socket.write`, one syscall each (on loopback, each
 * also wakes Redis up). Its `enableAutoPipelining` batches them, but builds a `Pipeline` per batch
 * (a dozen properties defined per instance, a promise, result arrays), and at 50 concurrent HTTP
 * requests a batch holds one or two commands: the garbage cost more than the syscalls it saved
 * (bench/RESULTS.md, "Serving cost": server CPU per /select 50.8 µs with auto-pipelining, 34.1 with
 * this, -33%; per /reward 43.1 -> 34.2 µs, -21%, same rounds). Here the socket is corked at the first command of a turn and
 * uncorked in `setImmediate`, after the poll phase in which the turn's requests were read: the
 * turn's commands go out in one `writev`, with no object per batch. Replies, timeouts, reconnects
 * and scripts are ioredis's own, unchanged.
 */
import { Redis, type RedisOptions } from 'ioredis';

type Socket = NonNullable<Redis['stream']>;
type SendCommand = Redis['sendCommand'];

export class WriteBatchingRedis extends Redis {
  private corked: Socket | null = null;

  constructor(url: string, options: RedisOptions) {
    super(url, { ...options, enableAutoPipelining: false });
  }

  override sendCommand(...args: Parameters<SendCommand>): ReturnType<SendCommand> {
    const stream = this.stream as Socket | undefined;
    // Only the normal path (ready, our own socket); anything else is ioredis's alone.
    if (this.corked === null && args[1] === undefined && this.status === 'ready' && stream?.writable) {
      stream.cork();
      this.corked = stream;
      setImmediate(() => {
        const s = this.corked!;
        this.corked = null;
        s.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}
