// Protocol Buffer schemas for Pub/Sub: a .proto definition (messages, enums, oneofs, maps,
// nested types, well-known imports) parsed into a descriptor; messages are checked with a
// dynamic message, in protobuf's JSON mapping or its binary format. The first top-level
// message is the schema's type, as in Pub/Sub.
#include <cctype>
#include <map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include "services/pubsub/schema_validator.h"

namespace gcpsim::services::pubsub {
namespace {

using core::Status;
namespace pb = google::protobuf;
using FieldProto = pb::FieldDescriptorProto;

Status invalid_schema(const std::string& why) { return Status::invalid_argument("Invalid schema definition: " + why); }

const std::map<std::string, FieldProto::Type>& scalars() {
  static const std::map<std::string, FieldProto::Type> m{
      {"double", FieldProto::TYPE_DOUBLE},     {"float", FieldProto::TYPE_FLOAT},       {"int64", FieldProto::TYPE_INT64},
      {"uint64", FieldProto::TYPE_UINT64},     {"int32", FieldProto::TYPE_INT32},       {"fixed64", FieldProto::TYPE_FIXED64},
      {"fixed32", FieldProto::TYPE_FIXED32},   {"bool", FieldProto::TYPE_BOOL},         {"string", FieldProto::TYPE_STRING},
      {"bytes", FieldProto::TYPE_BYTES},       {"uint32", FieldProto::TYPE_UINT32},     {"sfixed32", FieldProto::TYPE_SFIXED32},
      {"sfixed64", FieldProto::TYPE_SFIXED64}, {"sint32", FieldProto::TYPE_SINT32},     {"sint64", FieldProto::TYPE_SINT64}};
  return m;
}

class ProtoParser {
 public:
  explicit ProtoParser(std::string_view text) : s_(text) {}

  Status parse(pb::FileDescriptorProto* file) {
    file->set_name("pubsub_schema.proto");
    file->set_syntax("proto2");
    while (next(), !tok_.empty()) {
      if (tok_ == "syntax") {
        RETURN_IF_ERROR(expect("="));
        next();
        std::string syntax = unquote(tok_);
        if (syntax != "proto2" && syntax != "proto3") return error("unknown syntax " + tok_);
        file->set_syntax(syntax);
        RETURN_IF_ERROR(expect(";"));
      } else if (tok_ == "package") {
        next();
        file->set_package(tok_);
        RETURN_IF_ERROR(expect(";"));
      } else if (tok_ == "import") {
        next();
        if (tok_ == "public" || tok_ == "weak") next();
        file->add_dependency(unquote(tok_));
        RETURN_IF_ERROR(expect(";"));
      } else if (tok_ == "option") {
        skip_statement();
      } else if (tok_ == "message") {
        RETURN_IF_ERROR(message(file->add_message_type(), file->syntax() == "proto3"));
      } else if (tok_ == "enum") {
        RETURN_IF_ERROR(enumeration(file->add_enum_type()));
      } else if (tok_ != ";") {
        return error("unexpected \"" + tok_ + "\"");
      }
    }
    if (file->message_type_size() == 0) return invalid_schema("the definition has no message type");
    return Status::ok();
  }

 private:
  Status message(pb::DescriptorProto* m, bool proto3) {
    next();
    m->set_name(tok_);
    RETURN_IF_ERROR(expect("{"));
    while (next(), tok_ != "}") {
      if (tok_.empty()) return error("unterminated message " + m->name());
      if (tok_ == "message") {
        // Each level is a C++ frame here and in protobuf's descriptor builder.
        if (++depth_ > kMaxNesting) return error("messages nested deeper than " + std::to_string(kMaxNesting));
        RETURN_IF_ERROR(message(m->add_nested_type(), proto3));
        --depth_;
      } else if (tok_ == "enum") {
        RETURN_IF_ERROR(enumeration(m->add_enum_type()));
      } else if (tok_ == "option" || tok_ == "reserved" || tok_ == "extensions") {
        skip_statement();
      } else if (tok_ == "oneof") {
        next();
        int index = m->oneof_decl_size();
        m->add_oneof_decl()->set_name(tok_);
        RETURN_IF_ERROR(expect("{"));
        while (next(), tok_ != "}") {
          if (tok_.empty()) return error("unterminated oneof");
          if (tok_ == "option") {
            skip_statement();
            continue;
          }
          FieldProto* f = m->add_field();
          f->set_oneof_index(index);
          RETURN_IF_ERROR(field(m, f, FieldProto::LABEL_OPTIONAL));
        }
      } else if (tok_ == "map") {
        RETURN_IF_ERROR(map_field(m));
      } else if (tok_ != ";") {
        auto label = FieldProto::LABEL_OPTIONAL;
        if (tok_ == "repeated") label = FieldProto::LABEL_REPEATED;
        if (tok_ == "required") label = FieldProto::LABEL_REQUIRED;
        if (tok_ == "repeated" || tok_ == "required" || tok_ == "optional") next();
        RETURN_IF_ERROR(field(m, m->add_field(), label));
      }
    }
    return Status::ok();
  }

  // type name = number [options] ;   (the current token is the type)
  Status field(pb::DescriptorProto*, FieldProto* f, FieldProto::Label label) {
    set_type(f, tok_);
    f->set_label(label);
    next();
    f->set_name(tok_);
    RETURN_IF_ERROR(expect("="));
    next();
    if (tok_.empty() || !std::isdigit(static_cast<unsigned char>(tok_[0])) || tok_.size() > 9)
      return error("bad field number " + tok_);  // 9 digits: field numbers end at 536870911
    f->set_number(std::stoi(tok_));
    next();
    if (tok_ == "[") {
      while (next(), tok_ != "]") {
        if (tok_.empty()) return error("unterminated field options");
      }
      next();
    }
    if (tok_ != ";") return error("expected ';' after field " + f->name());
    return Status::ok();
  }

  Status map_field(pb::DescriptorProto* m) {
    RETURN_IF_ERROR(expect("<"));
    next();
    std::string key = tok_;
    RETURN_IF_ERROR(expect(","));
    next();
    std::string value = tok_;
    RETURN_IF_ERROR(expect(">"));
    next();
    std::string name = tok_;
    std::string entry_name;
    bool upper = true;
    for (char c : name) {
      if (c == '_') {
        upper = true;
        continue;
      }
      entry_name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
    entry_name += "Entry";
    auto* entry = m->add_nested_type();
    entry->set_name(entry_name);
    entry->mutable_options()->set_map_entry(true);
    auto* k = entry->add_field();
    k->set_name("key");
    k->set_number(1);
    k->set_label(FieldProto::LABEL_OPTIONAL);
    set_type(k, key);
    auto* v = entry->add_field();
    v->set_name("value");
    v->set_number(2);
    v->set_label(FieldProto::LABEL_OPTIONAL);
    set_type(v, value);
    FieldProto* f = m->add_field();
    pos_ -= name.size();  // field() reads the name again after the type
    tok_ = entry_name;
    return field(m, f, FieldProto::LABEL_REPEATED);
  }

  Status enumeration(pb::EnumDescriptorProto* e) {
    next();
    e->set_name(tok_);
    RETURN_IF_ERROR(expect("{"));
    while (next(), tok_ != "}") {
      if (tok_.empty()) return error("unterminated enum " + e->name());
      if (tok_ == "option" || tok_ == "reserved") {
        skip_statement();
        continue;
      }
      if (tok_ == ";") continue;
      auto* v = e->add_value();
      v->set_name(tok_);
      RETURN_IF_ERROR(expect("="));
      next();
      bool negative = tok_ == "-";
      if (negative) next();
      // Enum values are int32; std::stoi would throw past its range.
      if (tok_.empty() || !std::isdigit(static_cast<unsigned char>(tok_[0])) || tok_.size() > 10)
        return error("bad enum value " + tok_);
      long long n = std::stoll(tok_);
      if (n > 2147483647LL + (negative ? 1 : 0)) return error("bad enum value " + tok_);
      v->set_number(static_cast<int>(negative ? -n : n));
      skip_statement();
    }
    return Status::ok();
  }

  static void set_type(FieldProto* f, const std::string& type) {
    if (auto it = scalars().find(type); it != scalars().end()) {
      f->set_type(it->second);
    } else {
      f->set_type_name(type);  // message or enum: resolved by the descriptor pool
    }
  }

  void skip_statement() {
    int depth = 0;
    while (next(), !tok_.empty()) {
      if (tok_ == "{") ++depth;
      if (tok_ == "}" && --depth <= 0) return;
      if (tok_ == ";" && depth == 0) return;
    }
  }

  Status expect(const std::string& t) {
    next();
    return tok_ == t ? Status::ok() : error("expected '" + t + "' but found \"" + tok_ + "\"");
  }

  Status error(const std::string& why) const { return invalid_schema(why + " near offset " + std::to_string(pos_)); }

  static std::string unquote(const std::string& t) {
    return t.size() >= 2 && (t[0] == '"' || t[0] == '\'') ? t.substr(1, t.size() - 2) : t;
  }

  void next() {
    while (pos_ < s_.size()) {
      if (std::isspace(static_cast<unsigned char>(s_[pos_]))) {
        ++pos_;
      } else if (s_.substr(pos_, 2) == "//") {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (s_.substr(pos_, 2) == "/*") {
        auto end = s_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else {
        break;
      }
    }
    if (pos_ >= s_.size()) {
      tok_.clear();
      return;
    }
    size_t start = pos_;
    char c = s_[pos_];
    if (c == '"' || c == '\'') {
      ++pos_;
      while (pos_ < s_.size() && s_[pos_] != c) pos_ += s_[pos_] == '\\' ? 2 : 1;
      pos_ = std::min(pos_ + 1, s_.size());
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.')) ++pos_;
    } else {
      ++pos_;
    }
    tok_ = std::string(s_.substr(start, pos_ - start));
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string tok_;
  static constexpr int kMaxNesting = 100;
  int depth_ = 0;
};

class ProtoSchema final : public SchemaValidator {
 public:
  ProtoSchema() : pool_(pb::DescriptorPool::generated_pool()) {}

  Status compile(const std::string& definition) {
    pb::FileDescriptorProto file;
    RETURN_IF_ERROR(ProtoParser(definition).parse(&file));
    struct Collector : pb::DescriptorPool::ErrorCollector {
      std::string first;
      void AddError(const std::string&, const std::string& element, const pb::Message*, ErrorLocation,
                    const std::string& message) override {
        if (first.empty()) first = element + ": " + message;
      }
    } errors;
    const pb::FileDescriptor* fd = pool_.BuildFileCollectingErrors(file, &errors);
    if (!fd) return invalid_schema(errors.first);
    type_ = fd->message_type(0);
    prototype_ = factory_.GetPrototype(type_);
    return Status::ok();
  }

  Status validate(Encoding encoding, std::string_view data) const override {
    std::unique_ptr<pb::Message> m(prototype_->New());
    if (encoding == Encoding::kBinary) {
      if (!m->ParseFromArray(data.data(), static_cast<int>(data.size()))) {
        return Status::invalid_argument("Invalid data in message: Message failed schema validation.");
      }
      return Status::ok();
    }
    pb::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto st = pb::util::JsonStringToMessage(pb::StringPiece(data.data(), data.size()), m.get(), options);
    if (!st.ok()) {
      return Status::invalid_argument("Invalid data in message: Message failed schema validation: " +
                                      std::string(st.message()));
    }
    return Status::ok();
  }

 private:
  pb::DescriptorPool pool_;
  pb::DynamicMessageFactory factory_{&pool_};
  const pb::Descriptor* type_ = nullptr;
  const pb::Message* prototype_ = nullptr;
};

}  // namespace

core::StatusOr<std::shared_ptr<const SchemaValidator>> compile_protobuf(const std::string& definition) {
  auto schema = std::make_shared<ProtoSchema>();
  RETURN_IF_ERROR(schema->compile(definition));
  return std::shared_ptr<const SchemaValidator>(std::move(schema));
}

}  // namespace gcpsim::services::pubsub
