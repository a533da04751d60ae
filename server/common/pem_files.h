// Checks of the PEM files TLS is given (certificates, private keys), with
// OpenSSL's PEM reader, so a wrong file is named by its flag at start:
// gRPC otherwise says only "Handshaker factory creation failed with
// TSI_INVALID_ARGUMENT" (the server) or fails every call "empty address
// list" (a client). Used by the server, the web proxy and the CLI.
#ifndef CODEX_MANAGER_SERVER_COMMON_PEM_FILES_H_
#define CODEX_MANAGER_SERVER_COMMON_PEM_FILES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace codex_manager {

// OK when `pem` (the text of file `path`, given as `flag`) holds one PEM
// certificate or more; INVALID_ARGUMENT "FLAG PATH: no PEM certificate in
// it (…)" otherwise (saying so when it holds a private key instead).
absl::Status CheckPemCertificates(absl::string_view flag,
                                  absl::string_view path,
                                  absl::string_view pem);

// OK when `pem` holds an unencrypted PEM private key; INVALID_ARGUMENT
// naming the flag and path otherwise (an encrypted key is said to be one:
// TLS here takes no passphrase).
absl::Status CheckPemPrivateKey(absl::string_view flag, absl::string_view path,
                                absl::string_view pem);

// OK when the private key in `key_pem` belongs to the first certificate in
// `cert_pem` (both already checked above); INVALID_ARGUMENT "KEY_FLAG
// KEY_PATH is not the private key of CERT_FLAG CERT_PATH" otherwise.
absl::Status CheckKeyPair(absl::string_view cert_flag,
                          absl::string_view cert_path,
                          absl::string_view cert_pem,
                          absl::string_view key_flag,
                          absl::string_view key_path,
                          absl::string_view key_pem);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_PEM_FILES_H_
