// POST policy checks: signature over the base64 policy, expiration, conditions ("eq",
// "starts-with", exact-match objects, "content-length-range") and unreferenced fields.
#include "services/storage/policy.h"

#include <set>

#include <nlohmann/json.hpp>

#include "services/storage/hashes.h"

namespace gcpsim::services::storage {
namespace {

using nlohmann::json;

XmlError invalid_policy(const std::string& details) {
  return {400, "InvalidPolicyDocument",
          "The content of the form does not meet the conditions specified in the policy document.", details};
}

std::string field_of(const FormBody& form, const std::string& bucket, std::string name) {
  if (!name.empty() && name[0] == '$') name = name.substr(1);
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (name == "bucket") return bucket;
  auto it = form.fields.find(name);
  return it == form.fields.end() ? "" : it->second;
}

std::string lower_name(std::string name) {
  if (!name.empty() && name[0] == '$') name = name.substr(1);
  for (auto& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

// One condition; adds the fields it references to `seen`.
std::optional<XmlError> check_condition(const json& c, const FormBody& form, const std::string& bucket,
                                        uint64_t size, std::set<std::string>& seen) {
  if (c.is_object()) {
    for (const auto& [k, v] : c.items()) {
      seen.insert(lower_name(k));
      if (!v.is_string() || field_of(form, bucket, k) != v.get<std::string>())
        return invalid_policy("Policy condition failed: [\"eq\", \"$" + k + "\", " + v.dump() + "]");
    }
    return std::nullopt;
  }
  if (!c.is_array() || c.size() != 3 || !c[0].is_string()) return invalid_policy("Malformed policy condition.");
  std::string op = c[0].get<std::string>();
  if (op == "content-length-range") {
    if (!c[1].is_number_integer() || !c[2].is_number_integer()) return invalid_policy("Malformed content-length-range.");
    if (size < c[1].get<uint64_t>()) return XmlError{400, "EntityTooSmall", "Your proposed upload is smaller than the minimum object size specified in your Policy Document.", ""};
    if (size > c[2].get<uint64_t>()) return XmlError{400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", ""};
    return std::nullopt;
  }
  if (!c[1].is_string() || !c[2].is_string()) return invalid_policy("Malformed policy condition.");
  std::string name = c[1].get<std::string>(), want = c[2].get<std::string>();
  seen.insert(lower_name(name));
  std::string have = field_of(form, bucket, name);
  bool ok = op == "eq" ? have == want : op == "starts-with" ? have.compare(0, want.size(), want) == 0 : false;
  if (!ok) return invalid_policy("Policy condition failed: " + c.dump());
  return std::nullopt;
}

}  // namespace

std::optional<XmlError> verify_post_policy(const FormBody& form, const std::string& bucket, uint64_t file_size,
                                           core::Time now, const Verify& verify) {
  auto get = [&](const char* k) { return field_of(form, bucket, k); };
  if (get("policy").empty() || get("x-goog-signature").empty())
    return XmlError{403, "AccessDenied", "Anonymous caller does not have storage.objects.create access.", ""};
  if (get("x-goog-algorithm") != "GOOG4-RSA-SHA256")
    return XmlError{400, "InvalidArgument", "Unsupported x-goog-algorithm: " + get("x-goog-algorithm"), ""};
  auto signature = hex_decode(get("x-goog-signature"));
  if (!signature || !verify || !verify(get("policy"), *signature))
    return XmlError{403, "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your "
                    "Google secret key and signing method.", "StringToSign: " + get("policy")};
  auto text = base64_decode(get("policy"));
  auto policy = text ? json::parse(*text, nullptr, false) : json();
  if (!policy.is_object() || !policy.contains("expiration") || !policy["expiration"].is_string())
    return invalid_policy("The policy document is not valid JSON with an expiration.");
  auto expiration = core::parse_rfc3339(policy["expiration"].get<std::string>());
  if (!expiration || now > *expiration) return invalid_policy("Policy has expired: " + policy["expiration"].get<std::string>());
  std::set<std::string> seen;
  for (const auto& c : policy.value("conditions", json::array()))
    if (auto err = check_condition(c, form, bucket, file_size, seen)) return err;
  std::string missing;
  for (const auto& [name, value] : form.fields) {
    if (name == "policy" || name == "x-goog-signature" || name.compare(0, 9, "x-ignore-") == 0) continue;
    if (!seen.count(name)) missing += (missing.empty() ? "" : " ") + name;
  }
  if (!missing.empty()) return invalid_policy("Policy did not reference these fields: " + missing);
  return std::nullopt;
}

}  // namespace gcpsim::services::storage
