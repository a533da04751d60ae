#include "api/request_digest.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"
#include "auth/secrets.h"

namespace codex_manager {
namespace {

void AddPiece(Sha256& hash, absl::string_view piece) {
  hash.Update(absl::StrCat(piece.size(), ":"));
  hash.Update(piece);
}

}  // namespace

Caller WithRequestDigest(const Caller& caller,
                         const google::protobuf::Message& request,
                         const std::string& request_id) {
  Caller keyed = caller;
  if (request_id.empty()) return keyed;
  // Deterministic: map fields in key order, so one request always gives
  // the same bytes.
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  Sha256 hash;
  AddPiece(hash, caller.method);
  AddPiece(hash, caller.token_id);
  AddPiece(hash, bytes);
  keyed.request_digest = hash.HexDigest();
  return keyed;
}

}  // namespace codex_manager
