// MaintenanceService on the gRPC callback API (maintenance.proto): Backup,
// a thin stream over core/backup.h, behind the Guard.
#ifndef CODEX_MANAGER_SERVER_API_MAINTENANCE_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_MAINTENANCE_SERVICE_H_

#include <atomic>
#include <string>

#include "api/guard.h"
#include "codex_manager/v1/maintenance.grpc.pb.h"
#include "core/store.h"

namespace codex_manager {

class MaintenanceServiceImpl final
    : public v1::MaintenanceService::CallbackService {
 public:
  // Backups are copied into `data_dir` (the store's folder) while they
  // are sent, in chunks of at most 256 KiB that fit `max_message_bytes`
  // (--max-message-bytes, at least 64 KiB).
  MaintenanceServiceImpl(Store* store, Guard* guard, std::string data_dir,
                         int max_message_bytes);

  grpc::ServerWriteReactor<v1::BackupChunk>* Backup(
      grpc::CallbackServerContext* context,
      const v1::BackupRequest* request) override;

 private:
  Store* const store_;
  Guard* const guard_;
  const std::string data_dir_;
  const size_t chunk_bytes_;
  // A backup is being made or sent: another gets RESOURCE_EXHAUSTED.
  std::atomic<bool> busy_{false};
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_MAINTENANCE_SERVICE_H_
