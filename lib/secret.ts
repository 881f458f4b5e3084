import { inspect } from 'node:util';

/**
 * A credential that cannot leak by accident: logging, string interpolation and JSON all show
 * `[redacted]`; only {@link Secret.reveal} gives the value, at the one place it is sent upstream.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The plain value, for the request header or signature that needs it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}
