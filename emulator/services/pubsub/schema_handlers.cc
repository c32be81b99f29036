// google.pubsub.v1.SchemaService → the schema registry, one function per RPC.
#include <google/protobuf/empty.pb.h>
#include <google/pubsub/v1/schema.pb.h>

#include "net/rpc.h"
#include "services/pubsub/convert.h"
#include "services/pubsub/handlers.h"
#include "services/pubsub/names.h"
#include "services/pubsub/schemas.h"
#include "services/pubsub/service.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
using google::protobuf::Empty;

SchemaType type_from_proto(v1::Schema::Type t) {
  switch (t) {
    case v1::Schema::AVRO: return SchemaType::kAvro;
    case v1::Schema::PROTOCOL_BUFFER: return SchemaType::kProtocolBuffer;
    default: return SchemaType::kUnspecified;
  }
}

v1::Schema::Type type_to_proto(SchemaType t) {
  switch (t) {
    case SchemaType::kAvro: return v1::Schema::AVRO;
    case SchemaType::kProtocolBuffer: return v1::Schema::PROTOCOL_BUFFER;
    case SchemaType::kUnspecified: break;
  }
  return v1::Schema::TYPE_UNSPECIFIED;
}

void to_proto(const SchemaRevision& r, v1::SchemaView view, v1::Schema* out) {
  out->set_name(r.name);
  out->set_type(type_to_proto(r.type));
  if (view != v1::BASIC) out->set_definition(r.definition);
  out->set_revision_id(r.revision_id);
  pubsub::to_proto(r.revision_create_time, out->mutable_revision_create_time());
}

Status create_schema(PubsubService& svc, const v1::CreateSchemaRequest& req, v1::Schema* resp) {
  ASSIGN_OR_RETURN(auto project, parse_project(req.parent()));
  std::string name = req.parent() + "/schemas/" + req.schema_id();
  ASSIGN_OR_RETURN(auto r, svc.schemas().create(name, type_from_proto(req.schema().type()), req.schema().definition()));
  (void)project;
  to_proto(r, v1::FULL, resp);
  return Status::ok();
}

Status get_schema(PubsubService& svc, const v1::GetSchemaRequest& req, v1::Schema* resp) {
  ASSIGN_OR_RETURN(auto r, svc.schemas().get(req.name()));
  to_proto(r, req.view() == v1::BASIC ? v1::BASIC : v1::FULL, resp);
  return Status::ok();
}

Status list_schemas(PubsubService& svc, const v1::ListSchemasRequest& req, v1::ListSchemasResponse* resp) {
  ASSIGN_OR_RETURN(auto project, parse_project(req.parent()));
  std::string next;
  for (const auto& r : svc.schemas().list(project, Page{req.page_size(), req.page_token()}, &next)) {
    to_proto(r, req.view() == v1::FULL ? v1::FULL : v1::BASIC, resp->add_schemas());
  }
  resp->set_next_page_token(next);
  return Status::ok();
}

Status list_schema_revisions(PubsubService& svc, const v1::ListSchemaRevisionsRequest& req,
                             v1::ListSchemaRevisionsResponse* resp) {
  ASSIGN_OR_RETURN(auto revisions, svc.schemas().revisions(req.name()));
  for (const auto& r : revisions) to_proto(r, req.view() == v1::BASIC ? v1::BASIC : v1::FULL, resp->add_schemas());
  return Status::ok();
}

Status commit_schema(PubsubService& svc, const v1::CommitSchemaRequest& req, v1::Schema* resp) {
  ASSIGN_OR_RETURN(auto r, svc.schemas().commit(req.name(), type_from_proto(req.schema().type()), req.schema().definition()));
  to_proto(r, v1::FULL, resp);
  return Status::ok();
}

Status rollback_schema(PubsubService& svc, const v1::RollbackSchemaRequest& req, v1::Schema* resp) {
  ASSIGN_OR_RETURN(auto r, svc.schemas().rollback(req.name(), req.revision_id()));
  to_proto(r, v1::FULL, resp);
  return Status::ok();
}

Status delete_schema_revision(PubsubService& svc, const v1::DeleteSchemaRevisionRequest& req, v1::Schema* resp) {
  std::string name = req.name();
  // Older clients still send the deprecated revision_id beside a plain name.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const std::string& revision_id = req.revision_id();
#pragma GCC diagnostic pop
  if (name.find('@') == std::string::npos && !revision_id.empty()) name += "@" + revision_id;
  ASSIGN_OR_RETURN(auto r, svc.schemas().delete_revision(name));
  to_proto(r, v1::FULL, resp);
  return Status::ok();
}

Status delete_schema(PubsubService& svc, const v1::DeleteSchemaRequest& req, Empty*) {
  return svc.schemas().remove(req.name());
}

Status validate_schema(PubsubService&, const v1::ValidateSchemaRequest& req, v1::ValidateSchemaResponse*) {
  RETURN_IF_ERROR(parse_project(req.parent()).status());
  return Schemas::compile(type_from_proto(req.schema().type()), req.schema().definition()).status();
}

Status validate_message(PubsubService& svc, const v1::ValidateMessageRequest& req, v1::ValidateMessageResponse*) {
  RETURN_IF_ERROR(parse_project(req.parent()).status());
  Encoding encoding = req.encoding() == v1::BINARY ? Encoding::kBinary : Encoding::kJson;
  if (req.schema_spec_case() == v1::ValidateMessageRequest::kName) {
    ASSIGN_OR_RETURN(auto r, svc.schemas().get(req.name()));
    ASSIGN_OR_RETURN(auto validator, Schemas::compile(r.type, r.definition));
    return validator->validate(encoding, req.message());
  }
  ASSIGN_OR_RETURN(auto validator, Schemas::compile(type_from_proto(req.schema().type()), req.schema().definition()));
  return validator->validate(encoding, req.message());
}

}  // namespace

void register_schema_service(net::MethodTable& methods, PubsubService& svc) {
  net::GrpcService<PubsubService> s(methods, "google.pubsub.v1.SchemaService", "pubsub", svc);
  s.add_unary("CreateSchema", &create_schema);
  s.add_unary("GetSchema", &get_schema);
  s.add_unary("ListSchemas", &list_schemas);
  s.add_unary("ListSchemaRevisions", &list_schema_revisions);
  s.add_unary("CommitSchema", &commit_schema);
  s.add_unary("RollbackSchema", &rollback_schema);
  s.add_unary("DeleteSchemaRevision", &delete_schema_revision);
  s.add_unary("DeleteSchema", &delete_schema);
  s.add_unary("ValidateSchema", &validate_schema);
  s.add_unary("ValidateMessage", &validate_message);
}

}  // namespace gcpsim::services::pubsub
