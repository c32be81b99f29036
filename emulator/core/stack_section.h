// A service's own section of the stack file. Core reads the shared keys (project, region,
// seed, faults) and hands every other top-level key to the section parser a service
// registered in the services table; the typed result sits in StackConfig::sections.
#pragma once
#include <any>
#include <functional>
#include <string>
#include <vector>

namespace gcpsim::core {

struct StackConfig;
namespace stackfile { struct Field; }  // core/stack_yaml.h: a parser includes it for the readers

// What a section parser may ask of the loader besides its own node.
class SectionContext {
 public:
  virtual ~SectionContext() = default;
  virtual const StackConfig& stack() const = 0;                      // sections read so far
  virtual std::string resolve(const std::string& path) const = 0;   // against the file's dir
  virtual int port(const stackfile::Field& f) = 0;                   // a port no other key claimed
  // Runs once every section is read: cross-references to other sections go here.
  virtual void later(std::function<void()> check) = 0;
  // A resource this section needs in another service, created there with the declared ones
  // (StackConfig::implied): kind is where it would be declared ("pubsub.topics").
  virtual void imply(const std::string& kind, const std::string& name) = 0;
};

struct StackSection {
  std::string key;  // the top-level key, "bigquery"
  // Reads the section, failing through stackfile::fail*; the result is what
  // StackConfig::section<T>(key) returns.
  std::function<std::any(const stackfile::Field&, SectionContext&)> parse;
};

}  // namespace gcpsim::core
