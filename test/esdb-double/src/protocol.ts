/**
 * The EventStoreDB gRPC protocol as `@eventstore/db-client` 6.2.1 ships it: the service definition and the protobuf
 * message classes generated from EventStoreDB's own .proto files (`generated/`). Using the client's generated code
 * means the double speaks exactly the wire format the client speaks.
 *
 * The generated files are CommonJS that attach their exports at run time (`goog.object.extend(exports, ...)`), which
 * Node cannot see as named ESM exports, hence the default imports.
 */
import sharedModule from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpcModule from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsModule from '@eventstore/db-client/generated/streams_pb.js';

export const { StreamsService } = streamsGrpcModule;
export const { AppendReq, AppendResp, ReadReq, ReadResp } = streamsModule;
export const { Empty, StreamIdentifier, UUID } = sharedModule;

export type AppendReq = InstanceType<typeof AppendReq>;
export type AppendResp = InstanceType<typeof AppendResp>;
export type ReadReq = InstanceType<typeof ReadReq>;
export type ReadResp = InstanceType<typeof ReadResp>;
export type ReadOptions = InstanceType<typeof ReadReq.Options>;
export type FilterOptions = InstanceType<typeof ReadReq.Options.FilterOptions>;
