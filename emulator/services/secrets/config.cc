// Reads the `secrets` section: names as Secret Manager accepts them, payloads inline or from
// a file next to the stack file, within Secret Manager's size limit.
#include "services/secrets/config.h"

#include <filesystem>
#include <fstream>

#include "core/stack_yaml.h"

namespace gcpsim::services::secrets {
namespace {

namespace fs = std::filesystem;
using namespace core::stackfile;

SecretConfig read_secret(const Field& f, core::SectionContext& ctx) {
  Map m(f, {"value", "file"});
  if (m.has("value") == m.has("file")) fail_under(f, "set either 'value' or 'file'");
  SecretConfig s;
  if (auto v = m.get("value")) s.value = text(*v);
  if (auto file = m.get("file")) {
    s.file = ctx.resolve(text(*file));
    std::error_code ec;
    std::ifstream in(s.file, std::ios::binary);
    if (!fs::is_regular_file(s.file, ec) || !in) fail(*file, "cannot read secret file '" + s.file + "'");
    s.value.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  constexpr size_t kMaxPayload = 64 * 1024;  // Secret Manager's limit per version
  if (s.value.size() > kMaxPayload) {
    fail_under(f, "the payload is " + std::to_string(s.value.size()) + " bytes; Secret Manager allows at most " +
                      std::to_string(kMaxPayload));
  }
  return s;
}

}  // namespace

core::StackSection stack_section() {
  return {"secrets", [](const Field& section, core::SectionContext& ctx) -> std::any {
            StackSecrets out;
            for (auto& [name, f] : entries(section)) {
              check_plain_name(f, name, "_-", 255);
              out[name] = read_secret(f, ctx);
            }
            return out;
          }};
}

const StackSecrets& stack_secrets(const core::StackConfig& stack) {
  return stack.section_or_empty<StackSecrets>("secrets");
}

}  // namespace gcpsim::services::secrets
