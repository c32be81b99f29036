// Multipart bodies as RFC 2046 allows and Cloud Storage accepts them from any client: quoted
// boundaries, bare-LF lines (Python's email generator, used by gcloud), preambles, epilogues,
// headers in any case, base64 parts; and POST-policy forms over the same splitter.
#include "storage_fixture.h"

#include <fstream>

#include "services/storage/form.h"
#include "services/storage/multipart.h"

namespace storage_test {
namespace {

std::string media_of(const std::string& body, const MultipartBody& m) {
  if (m.media_decoded) return *m.media_decoded;
  return body.substr(m.media_offset, m.media_length);
}

}  // namespace

TEST_CASE("multipart boundaries are read quoted with \" or ', or bare") {
  CHECK(multipart_boundary("multipart/related; boundary=XYZ") == "XYZ");
  CHECK(multipart_boundary("multipart/related; boundary=\"a b;c\"") == "a b;c");
  CHECK(multipart_boundary("multipart/related; boundary='===============2019422018821490160=='") ==
        "===============2019422018821490160==");
  CHECK(multipart_boundary("Multipart/Related;BOUNDARY=abc; charset=x") == "abc");
  CHECK(multipart_boundary("multipart/related; foo=\"boundary=no\"") == "");
  CHECK(multipart_boundary("multipart/related") == "");
}

TEST_CASE("a multipart body in gcloud's shape: single-quoted boundary, bare LF, MIME-Version in each part") {
  const std::string b = "===============2019422018821490160==";
  const std::string body = "--" + b + "\n" +
                           "Content-Type: application/json\nMIME-Version: 1.0\n\n"
                           "{\"name\": \"notes.txt\"}\n"
                           "--" + b + "\n" +
                           "Content-Type: text/plain\nMIME-Version: 1.0\nContent-Transfer-Encoding: binary\n\n"
                           "line one\r\nline two\n"
                           "--" + b + "--\n";
  auto m = parse_multipart("multipart/related; boundary='" + b + "'", body, "", 0);
  INFO(m.status().to_string());
  REQUIRE(m.ok());
  CHECK(m->metadata == "{\"name\": \"notes.txt\"}");
  CHECK(m->media_type == "text/plain");
  CHECK(media_of(body, *m) == "line one\r\nline two");  // the bytes inside are kept as sent
}

TEST_CASE("preamble, epilogue, transport padding and headers in any case are taken as RFC 2046 says") {
  const std::string body =
      "This is a preamble.\r\n--XYZ  \r\nCONTENT-TYPE: application/json\r\n\r\n{}\r\n"
      "--XYZ\r\ncontent-type:\timage/png\r\nX-Folded: a\r\n b\r\n\r\n\x89PNG\r\n--XYZ--  \r\nepilogue --XYZ--\r\n";
  auto m = parse_multipart("multipart/related; boundary=\"XYZ\"", body, "", 0);
  INFO(m.status().to_string());
  REQUIRE(m.ok());
  CHECK(m->metadata == "{}");
  CHECK(m->media_type == "image/png");
  CHECK(media_of(body, *m) == "\x89PNG");
}

TEST_CASE("a base64 part is decoded, line breaks and all") {
  const std::string body =
      "--b\r\nContent-Type: application/json\r\n\r\n{}\r\n"
      "--b\r\nContent-Type: text/plain\r\ncontent-transfer-encoding: BASE64\r\n\r\naGVsbG8g\r\nd29ybGQ=\r\n--b--";
  auto m = parse_multipart("multipart/related; boundary=b", body, "", 0);
  INFO(m.status().to_string());
  REQUIRE(m.ok());
  REQUIRE(m->media_decoded.has_value());
  CHECK(*m->media_decoded == "hello world");

  auto bad = parse_multipart("multipart/related; boundary=b",
                             "--b\n\n{}\n--b\nContent-Transfer-Encoding: quoted-printable\n\nx\n--b--", "", 0);
  CHECK(http(bad.status()) == 400);
  CHECK(bad.status().message().find("quoted-printable") != std::string::npos);
}

TEST_CASE("a multipart body spooled to a file is split from its head and tail") {
  const std::string dir = temp_dir();
  const std::string big(3 << 20, 'z');  // past the 1 MiB head: the media part runs into the tail
  const std::string body = "--b\nContent-Type: application/json\n\n{\"name\":\"big\"}\n--b\nContent-Type: x/y\n\n" +
                           big + "\n--b--\n";
  const std::string path = dir + "/body";
  { std::ofstream(path, std::ios::binary) << body; }
  auto m = parse_multipart("multipart/related; boundary='b'", "", path, body.size());
  INFO(m.status().to_string());
  REQUIRE(m.ok());
  CHECK(m->metadata == "{\"name\":\"big\"}");
  CHECK(m->media_length == big.size());
  CHECK(body.substr(m->media_offset, m->media_length) == big);
  std::filesystem::remove_all(dir);
}

TEST_CASE("multipart bodies with the wrong number of parts or no close delimiter are 400") {
  auto none = parse_multipart("multipart/related; boundary=b", "no parts here", "", 0);
  CHECK(none.status().message() == "Invalid multipart request with 0 mime parts.");
  auto one = parse_multipart("multipart/related; boundary=b", "--b\n\n{}\n--b--\n", "", 0);
  CHECK(one.status().message() == "Invalid multipart request with 1 mime parts.");
  auto open = parse_multipart("multipart/related; boundary=b", "--b\n\n{}\n--b\n\nmedia", "", 0);
  CHECK(open.status().message() == "Missing end boundary in multipart body.");
}

TEST_CASE("POST-policy forms parse over the same splitter: bare LF, quoted boundary, filename before name") {
  const std::string body =
      "--f\nContent-Disposition: form-data; name=\"key\"\n\nuploads/${filename}\n"
      "--f\ncontent-disposition: form-data; name=Policy\n\neyJ9\n"
      "--f\nContent-Disposition: form-data; filename=\"a.txt\"; name=\"file\"\nContent-Type: text/plain\n\nhi\n--f--\n";
  auto form = parse_form("multipart/form-data; boundary='f'", body, "", 0);
  INFO(form.status().to_string());
  REQUIRE(form.ok());
  CHECK(form->fields["key"] == "uploads/${filename}");
  CHECK(form->fields["policy"] == "eyJ9");
  CHECK(form->file_name == "a.txt");
  CHECK(form->file_type == "text/plain");
  CHECK(body.substr(form->file_offset, form->file_length) == "hi");

  auto file_first = parse_form("multipart/form-data; boundary=f",
                               "--f\nContent-Disposition: form-data; name=\"file\"\n\nhi\n--f\n"
                               "Content-Disposition: form-data; name=\"key\"\n\nk\n--f--\n",
                               "", 0);
  CHECK(http(file_first.status()) == 400);
}

}  // namespace storage_test
