import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

// The OTLP trace schema, loaded once from the .proto files beside this module (proto/, written
// from the OTLP specification: no npm package ships them). protobufjs builds the decoders and
// encoders from them; nothing here parses the wire format by hand.

const protoDir = fileURLToPath(new URL('./proto/', import.meta.url));

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports name files in the same folder ("common.proto"), whatever the importing file's path.
  root.resolvePath = (_origin, target) => protoDir + target.replace(/^.*[\\/]/, '');
  root.loadSync(['trace_service.proto', 'status.proto']);
  root.resolveAll();
  return root;
}

const root = loadRoot();

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('google.rpc.Status');
