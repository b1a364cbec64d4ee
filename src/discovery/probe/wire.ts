// The line reader under a probe: lines from the current stream (plain, then TLS) with a byte cap, deadlines and
// abort. Every wait ends in a line, a ProbeFailure, or the timeout given.
import type { Duplex } from 'node:stream';
import { ProbeFailure, socketFailure } from './failure.js';

export class Wire {
  private buffer = Buffer.alloc(0);
  private received = 0;
  private stream: Duplex | undefined;
  private failure: ProbeFailure | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly maxBytes: number) {}

  attach(stream: Duplex): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  detach(): void {
    this.stream?.off('data', this.onData);
    this.stream?.off('error', this.onError);
    this.stream?.off('close', this.onClose);
    this.stream = undefined;
  }

  get unreadBytes(): number {
    return this.buffer.length;
  }

  /** Records the first failure; the current and every later wait throws it. */
  fail(failure: ProbeFailure): void {
    this.failure ??= failure;
    this.notify();
  }

  notify(): void {
    this.wake?.();
  }

  write(line: string): void {
    this.stream?.write(`${line}\r\n`);
  }

  /** Waits until `ready()` holds; throws the first failure, or a timeout failure with `timeoutMessage` after `ms`. */
  async until(ready: () => boolean, ms: number, timeoutMessage: string): Promise<void> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (ready()) return;
      if (this.failure) throw this.failure;
      const left = deadline - performance.now();
      if (left <= 0) throw new ProbeFailure('timeout', timeoutMessage);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** The next line without its line ending; lines already received are returned even after the server hung up. */
  async line(ms: number, timeoutMessage: string): Promise<string> {
    await this.until(() => this.buffer.includes(0x0a), ms, timeoutMessage);
    const end = this.buffer.indexOf(0x0a);
    const line = this.buffer.subarray(0, end).toString('utf8').replace(/\r$/, '');
    this.buffer = this.buffer.subarray(end + 1);
    return line;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.fail(new ProbeFailure('too-large', `the server sent more than ${this.maxBytes} bytes`));
      this.stream?.destroy();
      return;
    }
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.notify();
  };

  private readonly onError = (error: Error): void => this.fail(socketFailure(error));
  private readonly onClose = (): void => this.fail(new ProbeFailure('closed', 'the server closed the connection'));
}
