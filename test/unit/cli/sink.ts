import { Writable } from 'node:stream';

/** A stream that keeps what is written to it; not a terminal unless told so. */
export class Sink extends Writable {
  readonly chunks: string[] = [];
  isTTY = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }

  get text(): string {
    return this.chunks.join('');
  }
}
