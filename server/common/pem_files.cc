#include "common/pem_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Cert = std::unique_ptr<X509, X509Free>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Bio MemoryBio(absl::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// A passphrase callback that has none: an encrypted key fails to load.
int NoPassphrase(char*, int, int, void*) { return 0; }

Cert FirstCertificate(absl::string_view pem) {
  Bio bio = MemoryBio(pem);
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
}

Pkey PrivateKey(absl::string_view pem) {
  Bio bio = MemoryBio(pem);
  return Pkey(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
}

}  // namespace

absl::Status CheckPemCertificates(absl::string_view flag,
                                  absl::string_view path,
                                  absl::string_view pem) {
  Bio bio = MemoryBio(pem);
  int count = 0;
  while (Cert cert{PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase,
                                     nullptr)}) {
    ++count;
  }
  ERR_clear_error();  // the read past the last one
  if (count == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path,
        ": no PEM certificate in it (a \"-----BEGIN CERTIFICATE-----\" "
        "block)",
        absl::StrContains(pem, "PRIVATE KEY-----")
            ? "; it holds a private key: is it the key file?"
            : ""));
  }
  return absl::OkStatus();
}

absl::Status CheckPemPrivateKey(absl::string_view flag, absl::string_view path,
                                absl::string_view pem) {
  Pkey key = PrivateKey(pem);
  ERR_clear_error();
  if (key != nullptr) return absl::OkStatus();
  if (absl::StrContains(pem, "ENCRYPTED")) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " ", path,
        ": the private key is encrypted; give it without a passphrase "
        "(e.g. openssl pkey -in KEY -out KEY.plain) and keep the file 0600"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      flag, " ", path,
      ": no PEM private key in it (a \"-----BEGIN PRIVATE KEY-----\" block)",
      absl::StrContains(pem, "BEGIN CERTIFICATE")
          ? "; it holds a certificate: is it the certificate file?"
          : ""));
}

absl::Status CheckKeyPair(absl::string_view cert_flag,
                          absl::string_view cert_path,
                          absl::string_view cert_pem,
                          absl::string_view key_flag,
                          absl::string_view key_path,
                          absl::string_view key_pem) {
  Cert cert = FirstCertificate(cert_pem);
  Pkey key = PrivateKey(key_pem);
  const bool match = cert != nullptr && key != nullptr &&
                     X509_check_private_key(cert.get(), key.get()) == 1;
  ERR_clear_error();
  if (match) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(key_flag, " ", key_path, " is not the private key of ",
                   cert_flag, " ", cert_path,
                   " (the first certificate in it must be the one the key "
                   "signs for)"));
}

}  // namespace codex_manager
