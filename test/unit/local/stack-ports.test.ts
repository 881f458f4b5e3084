import { describe, expect, it } from 'vitest';
import { choosePorts, DEFAULT_PORTS, PortChoiceError } from '../../../scripts/local/stack-ports';

/** A port picker handing out the given ports in order, as the OS would one after another. */
function picker(...ports: number[]): () => Promise<number> {
  const queue = [...ports];
  return async () => {
    const port = queue.shift();
    if (port === undefined) throw new Error('asked for more ports than the test offered');
    return port;
  };
}

describe('choosePorts', () => {
  it('keeps the README ports when nothing is asked', async () => {
    expect(await choosePorts({}, { free: false }, picker())).toEqual({
      http: 3000,
      lambda: 3002,
      sns: 4002,
      dynamodb: 8000,
      sandbox: 4010,
    });
  });

  it('moves only the ports asked for', async () => {
    expect(await choosePorts({ http: 3100, sandbox: 4110 }, { free: false }, picker())).toEqual({
      ...DEFAULT_PORTS,
      http: 3100,
      sandbox: 4110,
    });
  });

  it('gives every port not asked for a free one, and the asked ones as asked', async () => {
    const ports = await choosePorts({ http: 3100 }, { free: true }, picker(41001, 41002, 41003, 41004));
    expect(ports).toEqual({ http: 3100, lambda: 41001, sns: 41002, dynamodb: 41003, sandbox: 41004 });
  });

  it('asks again when the OS hands out a port another service of the stack already has', async () => {
    const ports = await choosePorts({ http: 41001 }, { free: true }, picker(41001, 41002, 41002, 41003, 41004, 41005));
    expect(new Set(Object.values(ports)).size).toBe(5);
    expect(ports).toEqual({ http: 41001, lambda: 41002, sns: 41003, dynamodb: 41004, sandbox: 41005 });
  });

  it('refuses two services on one port, naming them', async () => {
    await expect(choosePorts({ http: 8000 }, { free: false }, picker())).rejects.toThrow(PortChoiceError);
    await expect(choosePorts({ http: 5000, sns: 5000 }, { free: true }, picker(1, 2, 3))).rejects.toThrow(
      /two services on one port: .*sns 5000/,
    );
  });
});
