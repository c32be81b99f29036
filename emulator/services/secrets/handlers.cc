// google.cloud.secretmanager.v1.SecretManagerService → SecretStore, one function per RPC.
// gRPC and REST (through the transcoder) both arrive here via the method table.
#include "services/secrets/handlers.h"

#include <google/cloud/secretmanager/v1/service.pb.h>
#include <google/iam/v1/iam_policy.pb.h>
#include <google/protobuf/empty.pb.h>

#include "net/rpc.h"
#include "services/secrets/convert.h"
#include "services/secrets/domain.h"

namespace gcpsim::services::secrets {
namespace {

using core::Status;
namespace iam = ::google::iam::v1;
using google::protobuf::Empty;

ListQuery query_of(int32_t page_size, const std::string& token, const std::string& filter) {
  return ListQuery{page_size, token, filter};
}

Status list_secrets(SecretStore& store, const v1::ListSecretsRequest& req,
                    v1::ListSecretsResponse* resp) {
  ASSIGN_OR_RETURN(auto parent, ParentName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto page,
                   store.list(parent, query_of(req.page_size(), req.page_token(), req.filter())));
  for (const auto& s : page.items) to_proto(s, resp->add_secrets());
  resp->set_next_page_token(page.next_page_token);
  resp->set_total_size(page.total_size);
  return Status::ok();
}

Status create_secret(SecretStore& store, const v1::CreateSecretRequest& req, v1::Secret* resp) {
  ASSIGN_OR_RETURN(auto parent, ParentName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto secret, store.create(parent, req.secret_id(), from_proto(req.secret())));
  to_proto(secret, resp);
  return Status::ok();
}

Status add_secret_version(SecretStore& store, const v1::AddSecretVersionRequest& req,
                          v1::SecretVersion* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.parent()));
  std::optional<int64_t> crc;
  if (req.payload().has_data_crc32c()) crc = req.payload().data_crc32c();
  ASSIGN_OR_RETURN(auto version, store.add_version(name, req.payload().data(), crc));
  to_proto(version, resp);
  return Status::ok();
}

Status get_secret(SecretStore& store, const v1::GetSecretRequest& req, v1::Secret* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.name()));
  ASSIGN_OR_RETURN(auto secret, store.get(name));
  to_proto(secret, resp);
  return Status::ok();
}

Status update_secret(SecretStore& store, const v1::UpdateSecretRequest& req, v1::Secret* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.secret().name()));
  std::vector<std::string> mask(req.update_mask().paths().begin(), req.update_mask().paths().end());
  ASSIGN_OR_RETURN(auto secret, store.update(name, from_proto(req.secret()), mask));
  to_proto(secret, resp);
  return Status::ok();
}

Status delete_secret(SecretStore& store, const v1::DeleteSecretRequest& req, Empty*) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.name()));
  return store.remove(name, req.etag());
}

Status list_secret_versions(SecretStore& store, const v1::ListSecretVersionsRequest& req,
                            v1::ListSecretVersionsResponse* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.parent()));
  ASSIGN_OR_RETURN(auto page, store.list_versions(
                                  name, query_of(req.page_size(), req.page_token(), req.filter())));
  for (const auto& v : page.items) to_proto(v, resp->add_versions());
  resp->set_next_page_token(page.next_page_token);
  resp->set_total_size(page.total_size);
  return Status::ok();
}

Status get_secret_version(SecretStore& store, const v1::GetSecretVersionRequest& req,
                          v1::SecretVersion* resp) {
  ASSIGN_OR_RETURN(auto name, VersionName::parse(req.name()));
  ASSIGN_OR_RETURN(auto version, store.get_version(name));
  to_proto(version, resp);
  return Status::ok();
}

Status access_secret_version(SecretStore& store, const v1::AccessSecretVersionRequest& req,
                             v1::AccessSecretVersionResponse* resp) {
  ASSIGN_OR_RETURN(auto name, VersionName::parse(req.name()));
  ASSIGN_OR_RETURN(auto access, store.access(name));
  resp->set_name(access.name);
  resp->mutable_payload()->set_data(std::move(access.data));
  resp->mutable_payload()->set_data_crc32c(access.crc32c);
  return Status::ok();
}

Status disable_secret_version(SecretStore& store, const v1::DisableSecretVersionRequest& req,
                              v1::SecretVersion* resp) {
  ASSIGN_OR_RETURN(auto name, VersionName::parse(req.name()));
  ASSIGN_OR_RETURN(auto version, store.disable(name, req.etag()));
  to_proto(version, resp);
  return Status::ok();
}

Status enable_secret_version(SecretStore& store, const v1::EnableSecretVersionRequest& req,
                             v1::SecretVersion* resp) {
  ASSIGN_OR_RETURN(auto name, VersionName::parse(req.name()));
  ASSIGN_OR_RETURN(auto version, store.enable(name, req.etag()));
  to_proto(version, resp);
  return Status::ok();
}

Status destroy_secret_version(SecretStore& store, const v1::DestroySecretVersionRequest& req,
                              v1::SecretVersion* resp) {
  ASSIGN_OR_RETURN(auto name, VersionName::parse(req.name()));
  ASSIGN_OR_RETURN(auto version, store.destroy(name, req.etag()));
  to_proto(version, resp);
  return Status::ok();
}

Status set_iam_policy(SecretStore& store, const iam::SetIamPolicyRequest& req, iam::Policy* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.resource()));
  ASSIGN_OR_RETURN(auto policy, store.set_policy(name, from_proto(req.policy())));
  to_proto(policy, resp);
  return Status::ok();
}

Status get_iam_policy(SecretStore& store, const iam::GetIamPolicyRequest& req, iam::Policy* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.resource()));
  ASSIGN_OR_RETURN(auto policy, store.get_policy(name));
  to_proto(policy, resp);
  return Status::ok();
}

Status test_iam_permissions(SecretStore& store, const iam::TestIamPermissionsRequest& req,
                            iam::TestIamPermissionsResponse* resp) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(req.resource()));
  std::vector<std::string> asked(req.permissions().begin(), req.permissions().end());
  ASSIGN_OR_RETURN(auto granted, store.test_permissions(name, asked));
  for (const auto& p : granted) resp->add_permissions(p);
  return Status::ok();
}

// Managed rotation changes a Cloud SQL user's password; gcpsim has no Cloud SQL to change.
Status managed_rotation(SecretStore& store, const std::string& parent) {
  ASSIGN_OR_RETURN(auto name, SecretName::parse(parent));
  RETURN_IF_ERROR(store.get(name).status());
  return Status::unimplemented(
      "Managed rotation of Cloud SQL credentials is not emulated by gcpsim.");
}

Status enable_managed_rotation(SecretStore& store, const v1::EnableManagedRotationRequest& req,
                               v1::SecretVersion*) {
  return managed_rotation(store, req.parent());
}

Status rotate_secret(SecretStore& store, const v1::RotateSecretRequest& req, v1::SecretVersion*) {
  return managed_rotation(store, req.parent());
}

}  // namespace

void register_methods(net::MethodTable& m, SecretStore& store) {
  net::GrpcService<SecretStore> s(m, "google.cloud.secretmanager.v1.SecretManagerService", "secrets", store);
  s.add_unary("ListSecrets", list_secrets);
  s.add_unary("CreateSecret", create_secret);
  s.add_unary("AddSecretVersion", add_secret_version);
  s.add_unary("GetSecret", get_secret);
  s.add_unary("UpdateSecret", update_secret);
  s.add_unary("DeleteSecret", delete_secret);
  s.add_unary("ListSecretVersions", list_secret_versions);
  s.add_unary("GetSecretVersion", get_secret_version);
  s.add_unary("AccessSecretVersion", access_secret_version);
  s.add_unary("DisableSecretVersion", disable_secret_version);
  s.add_unary("EnableSecretVersion", enable_secret_version);
  s.add_unary("DestroySecretVersion", destroy_secret_version);
  s.add_unary("SetIamPolicy", set_iam_policy);
  s.add_unary("GetIamPolicy", get_iam_policy);
  s.add_unary("TestIamPermissions", test_iam_permissions);
  s.add_unary("EnableManagedRotation", enable_managed_rotation);
  s.add_unary("RotateSecret", rotate_secret);
}

}  // namespace gcpsim::services::secrets
