// Avro schemas for Pub/Sub: parsing a definition and validating messages in Avro's JSON
// encoding or its binary encoding against it.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "services/pubsub/schema_validator.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
using Json = nlohmann::json;

struct AvroType {
  enum class Kind { kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBytes, kString, kRecord, kEnum, kArray, kMap, kUnion, kFixed };
  Kind kind = Kind::kNull;
  std::string name;  // full name of named types
  struct Field {
    std::string name;
    const AvroType* type = nullptr;
    bool has_default = false;
  };
  std::vector<Field> fields;
  std::vector<std::string> symbols;
  const AvroType* items = nullptr;  // array items, map values
  std::vector<const AvroType*> branches;
  size_t size = 0;
};

using Kind = AvroType::Kind;

const std::map<std::string, Kind>& primitives() {
  static const std::map<std::string, Kind> m{{"null", Kind::kNull},     {"boolean", Kind::kBoolean}, {"int", Kind::kInt},
                                             {"long", Kind::kLong},     {"float", Kind::kFloat},     {"double", Kind::kDouble},
                                             {"bytes", Kind::kBytes},   {"string", Kind::kString}};
  return m;
}

Status invalid_schema(const std::string& why) {
  return Status::invalid_argument("Invalid schema definition: " + why);
}
Status invalid_message(const std::string& why) {
  return Status::invalid_argument("Invalid data in message: Message failed schema validation: " + why);
}

class AvroSchema final : public SchemaValidator {
 public:
  Status parse(const std::string& definition) {
    Json j = Json::parse(definition, nullptr, false);
    if (j.is_discarded()) return invalid_schema("the definition is not valid JSON");
    auto root = parse_type(j, "");
    if (!root.ok()) return root.status();
    root_ = *root;
    return Status::ok();
  }

  Status validate(Encoding encoding, std::string_view data) const override {
    if (encoding == Encoding::kBinary) {
      size_t pos = 0;
      std::string why;
      // Values that take no bytes (null, records of nulls, a record that requires itself)
      // could otherwise be decoded without end: items and nesting are bounded.
      Budget budget{data.size() + kMaxEmptyItems, 0};
      if (!binary(*root_, data, pos, why, budget)) return invalid_message(why);
      if (pos != data.size()) return invalid_message("trailing bytes after the record");
      return Status::ok();
    }
    if (!core::json_depth_within(data)) return invalid_message("the data nests deeper than 100 levels");
    Json j = Json::parse(data.begin(), data.end(), nullptr, false);
    if (j.is_discarded()) return invalid_message("the data is not valid JSON");
    std::string why;
    if (!json(*root_, j, "$", why)) return invalid_message(why);
    return Status::ok();
  }

 private:
  core::StatusOr<const AvroType*> parse_type(const Json& j, const std::string& ns) {
    if (j.is_string()) {
      std::string n = j.get<std::string>();
      if (auto p = primitives().find(n); p != primitives().end()) return make(p->second);
      for (const std::string& candidate : {ns.empty() ? n : ns + "." + n, n}) {
        if (auto it = named_.find(candidate); it != named_.end()) return it->second;
      }
      return invalid_schema("unknown type \"" + n + "\"");
    }
    if (j.is_array()) {
      AvroType* u = make(Kind::kUnion);
      for (const auto& b : j) {
        ASSIGN_OR_RETURN(const AvroType* t, parse_type(b, ns));
        if (t->kind == Kind::kUnion) return invalid_schema("unions may not contain unions");
        u->branches.push_back(t);
      }
      return static_cast<const AvroType*>(u);
    }
    if (!j.is_object() || !j.contains("type")) return invalid_schema("a type must be a name, an array or an object with \"type\"");
    const Json& type = j["type"];
    if (!type.is_string()) return parse_type(type, ns);
    std::string t = type.get<std::string>();
    if (primitives().count(t)) return parse_type(type, ns);
    if (t == "array" || t == "map") {
      const char* key = t == "array" ? "items" : "values";
      if (!j.contains(key)) return invalid_schema(t + " without \"" + key + "\"");
      AvroType* a = make(t == "array" ? Kind::kArray : Kind::kMap);
      ASSIGN_OR_RETURN(a->items, parse_type(j[key], ns));
      return static_cast<const AvroType*>(a);
    }
    if (t != "record" && t != "error" && t != "enum" && t != "fixed") return parse_type(type, ns);
    if (!j.contains("name") || !j["name"].is_string()) return invalid_schema(t + " without a name");
    std::string name = j["name"].get<std::string>();
    std::string space = j.contains("namespace") && j["namespace"].is_string() ? j["namespace"].get<std::string>() : ns;
    std::string full = name.find('.') != std::string::npos || space.empty() ? name : space + "." + name;
    if (named_.count(full)) return invalid_schema("the name \"" + full + "\" is defined twice");
    std::string inner_ns = full.substr(0, full.rfind('.') == std::string::npos ? 0 : full.rfind('.'));
    AvroType* n = make(t == "enum" ? Kind::kEnum : t == "fixed" ? Kind::kFixed : Kind::kRecord);
    n->name = full;
    named_[full] = n;
    if (t == "enum") {
      if (!j.contains("symbols") || !j["symbols"].is_array()) return invalid_schema("enum " + full + " without symbols");
      for (const auto& s : j["symbols"]) {
        if (!s.is_string()) return invalid_schema("enum symbols must be strings");
        n->symbols.push_back(s.get<std::string>());
      }
    } else if (t == "fixed") {
      if (!j.contains("size") || !j["size"].is_number_unsigned()) return invalid_schema("fixed " + full + " without a size");
      n->size = j["size"].get<size_t>();
    } else {
      if (!j.contains("fields") || !j["fields"].is_array()) return invalid_schema("record " + full + " without fields");
      std::set<std::string> seen;
      for (const auto& f : j["fields"]) {
        if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("type")) {
          return invalid_schema("record " + full + " has a field without a name or type");
        }
        AvroType::Field field{f["name"].get<std::string>(), nullptr, f.contains("default")};
        if (!seen.insert(field.name).second) return invalid_schema("duplicate field " + field.name);
        ASSIGN_OR_RETURN(field.type, parse_type(f["type"], inner_ns));
        n->fields.push_back(std::move(field));
      }
    }
    return static_cast<const AvroType*>(n);
  }

  AvroType* make(Kind k) {
    pool_.push_back(std::make_unique<AvroType>());
    pool_.back()->kind = k;
    return pool_.back().get();
  }

  static std::string type_name(const AvroType& t) {
    for (const auto& [n, k] : primitives()) {
      if (k == t.kind) return n;
    }
    if (!t.name.empty()) return t.name;
    return t.kind == Kind::kArray ? "array" : t.kind == Kind::kMap ? "map" : "union";
  }

  bool json(const AvroType& t, const Json& v, const std::string& path, std::string& why) const {
    auto fail = [&](const std::string& expected) {
      why = path + " is not " + expected;
      return false;
    };
    switch (t.kind) {
      case Kind::kNull: return v.is_null() || fail("null");
      case Kind::kBoolean: return v.is_boolean() || fail("a boolean");
      case Kind::kInt:
        if (!v.is_number_integer()) return fail("an int");
        return (v.get<int64_t>() >= INT32_MIN && v.get<int64_t>() <= INT32_MAX) || fail("an int in range");
      case Kind::kLong: return v.is_number_integer() || fail("a long");
      case Kind::kFloat:
      case Kind::kDouble: return v.is_number() || fail("a number");
      case Kind::kBytes:
      case Kind::kString: return v.is_string() || fail("a string");
      case Kind::kFixed: return (v.is_string() && v.get<std::string>().size() == t.size) || fail("a fixed of " + std::to_string(t.size) + " bytes");
      case Kind::kEnum:
        if (!v.is_string()) return fail("an enum symbol");
        for (const auto& s : t.symbols) {
          if (s == v.get<std::string>()) return true;
        }
        return fail("one of the symbols of " + t.name);
      case Kind::kArray:
        if (!v.is_array()) return fail("an array");
        for (size_t i = 0; i < v.size(); ++i) {
          if (!json(*t.items, v[i], path + "[" + std::to_string(i) + "]", why)) return false;
        }
        return true;
      case Kind::kMap:
        if (!v.is_object()) return fail("a map");
        for (const auto& [k, item] : v.items()) {
          if (!json(*t.items, item, path + "." + k, why)) return false;
        }
        return true;
      case Kind::kRecord: {
        if (!v.is_object()) return fail("a record " + t.name);
        for (const auto& f : t.fields) {
          if (!v.contains(f.name)) {
            if (f.has_default) continue;
            why = path + "." + f.name + " is missing";
            return false;
          }
          if (!json(*f.type, v[f.name], path + "." + f.name, why)) return false;
        }
        for (const auto& [k, item] : v.items()) {
          bool known = false;
          for (const auto& f : t.fields) known = known || f.name == k;
          if (!known) {
            why = path + "." + k + " is not a field of " + t.name;
            return false;
          }
        }
        return true;
      }
      case Kind::kUnion: {
        // Avro's JSON encoding: null, or {"<branch type name>": value}.
        if (v.is_null()) {
          for (const AvroType* b : t.branches) {
            if (b->kind == Kind::kNull) return true;
          }
          return fail("allowed to be null");
        }
        if (v.is_object() && v.size() == 1) {
          for (const AvroType* b : t.branches) {
            if (type_name(*b) == v.begin().key()) return json(*b, v.begin().value(), path, why);
          }
        }
        for (const AvroType* b : t.branches) {
          std::string ignored;
          if (b->kind != Kind::kNull && json(*b, v, path, ignored)) return true;
        }
        return fail("a value of any branch of the union");
      }
    }
    return false;
  }

  static bool varint(std::string_view d, size_t& pos, int64_t& out) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= d.size()) return false;
      uint8_t b = static_cast<uint8_t>(d[pos++]);
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) {
        out = static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
        return true;
      }
    }
    return false;
  }

  static constexpr uint64_t kMaxEmptyItems = 1 << 20;
  static constexpr int kMaxDepth = 1000;
  struct Budget {
    uint64_t items;  // array and map items left to decode
    int depth;
  };

  bool binary(const AvroType& t, std::string_view d, size_t& pos, std::string& why, Budget& budget) const {
    auto fail = [&](const std::string& what) {
      why = what + " at byte " + std::to_string(pos);
      return false;
    };
    if (budget.depth >= kMaxDepth) return fail("values nested deeper than " + std::to_string(kMaxDepth));
    ++budget.depth;
    bool ok = binary_value(t, d, pos, why, budget);
    --budget.depth;
    return ok;
  }

  bool binary_value(const AvroType& t, std::string_view d, size_t& pos, std::string& why, Budget& budget) const {
    auto fail = [&](const std::string& what) {
      why = what + " at byte " + std::to_string(pos);
      return false;
    };
    int64_t n = 0;
    switch (t.kind) {
      case Kind::kNull: return true;
      case Kind::kBoolean:
        if (pos >= d.size() || static_cast<uint8_t>(d[pos]) > 1) return fail("bad boolean");
        ++pos;
        return true;
      case Kind::kInt:
      case Kind::kLong: return varint(d, pos, n) || fail("bad varint");
      case Kind::kFloat:
      case Kind::kDouble: {
        size_t w = t.kind == Kind::kFloat ? 4 : 8;
        if (d.size() - pos < w) return fail("truncated number");
        pos += w;
        return true;
      }
      case Kind::kBytes:
      case Kind::kString:
        if (!varint(d, pos, n) || n < 0 || static_cast<uint64_t>(n) > d.size() - pos) return fail("bad length");
        pos += static_cast<size_t>(n);
        return true;
      case Kind::kFixed:
        if (d.size() - pos < t.size) return fail("truncated fixed");
        pos += t.size;
        return true;
      case Kind::kEnum:
        if (!varint(d, pos, n) || n < 0 || static_cast<size_t>(n) >= t.symbols.size()) return fail("bad enum index");
        return true;
      case Kind::kRecord:
        for (const auto& f : t.fields) {
          if (!binary(*f.type, d, pos, why, budget)) return false;
        }
        return true;
      case Kind::kUnion:
        if (!varint(d, pos, n) || n < 0 || static_cast<size_t>(n) >= t.branches.size()) return fail("bad union index");
        return binary(*t.branches[static_cast<size_t>(n)], d, pos, why, budget);
      case Kind::kArray:
      case Kind::kMap:
        while (true) {
          if (!varint(d, pos, n)) return fail("bad block count");
          if (n == 0) return true;
          if (n < 0) {
            int64_t bytes = 0;
            if (!varint(d, pos, bytes)) return fail("bad block size");
            n = -n;
          }
          for (int64_t i = 0; i < n; ++i) {
            if (budget.items == 0) return fail("more items than the data can hold");
            --budget.items;
            if (t.kind == Kind::kMap) {
              int64_t len = 0;
              if (!varint(d, pos, len) || len < 0 || static_cast<uint64_t>(len) > d.size() - pos) return fail("bad map key");
              pos += static_cast<size_t>(len);
            }
            if (!binary(*t.items, d, pos, why, budget)) return false;
          }
        }
    }
    return false;
  }

  std::vector<std::unique_ptr<AvroType>> pool_;
  std::map<std::string, const AvroType*> named_;
  const AvroType* root_ = nullptr;
};

}  // namespace

core::StatusOr<std::shared_ptr<const SchemaValidator>> compile_avro(const std::string& definition) {
  auto schema = std::make_shared<AvroSchema>();
  RETURN_IF_ERROR(schema->parse(definition));
  return std::shared_ptr<const SchemaValidator>(std::move(schema));
}

}  // namespace gcpsim::services::pubsub
