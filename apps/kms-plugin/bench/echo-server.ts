/**
 * The baseline: a bare @grpc/grpc-js server of the same KMS v2 proto on a unix socket, answering
 * each call with what it was sent and doing nothing else. Started as its own process, like the
 * plug-in; prints "listening" when it serves.
 */
import * as grpc from '@grpc/grpc-js';
import { kmsServiceDefinition } from '../src/grpc-server.ts';

const socketPath = process.argv[2] ?? '';
const server = new grpc.Server();
const KEY_ID = 'echo';
server.addService(kmsServiceDefinition(), {
  Status: (_call: unknown, cb: grpc.sendUnaryData<object>) =>
    cb(null, { version: 'v2', healthz: 'ok', keyId: KEY_ID }),
  Encrypt: (
    call: grpc.ServerUnaryCall<{ plaintext: Buffer }, object>,
    cb: grpc.sendUnaryData<object>,
  ) => cb(null, { ciphertext: call.request.plaintext, keyId: KEY_ID, annotations: {} }),
  Decrypt: (
    call: grpc.ServerUnaryCall<{ ciphertext: Buffer }, object>,
    cb: grpc.sendUnaryData<object>,
  ) => cb(null, { plaintext: call.request.ciphertext }),
});
server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) throw err;
  console.log('listening');
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
