// Secret Manager's stack-file section: the secrets created before serving (`secrets:`), each
// with its payload as version 1.
#pragma once
#include <map>
#include <string>

#include "core/stack_section.h"

namespace gcpsim::core { struct StackConfig; }

namespace gcpsim::services::secrets {

// Becomes the secret's version 1.
struct SecretConfig {
  std::string value;  // the payload bytes, read from `file` when one was given
  std::string file;   // absolute path the value came from; empty for inline values
};

// A version another section's process reads (`secret_env`): "db-password:latest" →
// {secret: "db-password", version: "latest"}.
struct SecretRef {
  std::string secret;
  std::string version = "latest";  // "latest" or a version number
};

using StackSecrets = std::map<std::string, SecretConfig>;

// The `secrets` section; its result is stack_secrets(stack).
core::StackSection stack_section();
// The declared secrets by id (empty without a `secrets` section).
const StackSecrets& stack_secrets(const core::StackConfig& stack);
// Whether the stack declares secret `name`: other sections' references check it once the
// whole file is read (SectionContext::later).
inline bool declares_secret(const core::StackConfig& stack, const std::string& name) {
  return stack_secrets(stack).count(name) != 0;
}

}  // namespace gcpsim::services::secrets
