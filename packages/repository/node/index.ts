/** `@serverless-dal/repository/node`: adapters that use Node built-ins, for the Node and Lambda entries. */
export { nodeHmacSigner } from './hmac-signer.ts'
