// The PEM checks against a key and a self-signed certificate made here
// with OpenSSL, and the mix-ups people make: the key given as the
// certificate, a key of another certificate, an encrypted key.
#include "common/pem_files.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

// A P-256 key and a self-signed certificate for it, as PEM.
struct Pair {
  std::string cert, key, encrypted_key;
};

Pair MakePair() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("test"),
                             -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  Pair pair;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  pair.cert = BioText(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  pair.key = BioText(bio);
  bio = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), nullptr, 0,
                                nullptr, passphrase);
  pair.encrypted_key = BioText(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pair;
}

TEST(PemFilesTest, AMatchingPairPasses) {
  const Pair p = MakePair();
  EXPECT_TRUE(CheckPemCertificates("--tls-cert", "c.pem", p.cert).ok());
  // A chain: more than one certificate.
  EXPECT_TRUE(
      CheckPemCertificates("--tls-cert", "c.pem", p.cert + MakePair().cert)
          .ok());
  EXPECT_TRUE(CheckPemPrivateKey("--tls-key", "k.pem", p.key).ok());
  EXPECT_TRUE(
      CheckKeyPair("--tls-cert", "c.pem", p.cert, "--tls-key", "k.pem", p.key)
          .ok());
}

TEST(PemFilesTest, SwappedFilesAreNamedAsSuch) {
  const Pair p = MakePair();
  const absl::Status cert = CheckPemCertificates("--tls-cert", "k.pem", p.key);
  EXPECT_EQ(cert.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cert.message(),
            "--tls-cert k.pem: no PEM certificate in it (a \"-----BEGIN "
            "CERTIFICATE-----\" block); it holds a private key: is it the key "
            "file?");
  const absl::Status key = CheckPemPrivateKey("--tls-key", "c.pem", p.cert);
  EXPECT_EQ(key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(key.message(),
                                "it holds a certificate: is it the "
                                "certificate file?"))
      << key;
  for (const char* junk : {"", "not pem at all", "-----BEGIN CERTIFICATE-----\n"
                                                 "AAAA\n-----END CERTIFICATE-----\n"}) {
    EXPECT_FALSE(CheckPemCertificates("--ca-file", "x", junk).ok()) << junk;
    EXPECT_FALSE(CheckPemPrivateKey("--key-file", "x", junk).ok()) << junk;
  }
}

TEST(PemFilesTest, AKeyOfAnotherCertificateIsRefused) {
  const Pair p = MakePair();
  const Pair other = MakePair();
  const absl::Status status = CheckKeyPair("--tls-cert", "c.pem", p.cert,
                                           "--tls-key", "k.pem", other.key);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(
      status.message(), "--tls-key k.pem is not the private key of --tls-cert c.pem"))
      << status;
}

TEST(PemFilesTest, AnEncryptedKeyIsSaidToBeOne) {
  const Pair p = MakePair();
  const absl::Status status =
      CheckPemPrivateKey("--tls-key", "k.pem", p.encrypted_key);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "is encrypted")) << status;
}

}  // namespace
}  // namespace codex_manager
