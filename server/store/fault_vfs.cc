#include "store/fault_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace codex_manager {
namespace {

std::string* control_file = nullptr;
sqlite3_vfs* real_vfs = nullptr;

// SQLITE_OK, or the error the control file asks for.
int Fault() {
  std::ifstream in(*control_file);
  if (!in) return SQLITE_OK;
  std::string what;
  std::getline(in, what);
  what = std::string(absl::StripAsciiWhitespace(what));
  if (what == "full") return SQLITE_FULL;
  if (what == "ioerr") return SQLITE_IOERR_WRITE;
  return SQLITE_OK;
}

// An open file: ours in front, the real VFS's file right behind it.
struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), p, n, off);
}
int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (int rc = Fault(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xWrite(Real(f), p, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = Fault(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (int rc = Fault(); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int lock) { return Real(f)->pMethods->xLock(Real(f), lock); }
int Unlock(sqlite3_file* f, int lock) {
  return Real(f)->pMethods->xUnlock(Real(f), lock);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, p);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) {
  return Real(f)->pMethods->xShmUnmap(Real(f), del);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, p);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

// Version 3 methods; those the real file lacks are left out below.
sqlite3_io_methods MethodsFor(const sqlite3_io_methods* real) {
  sqlite3_io_methods m{};
  m.iVersion = real->iVersion;
  m.xClose = Close;
  m.xRead = Read;
  m.xWrite = Write;
  m.xTruncate = Truncate;
  m.xSync = Sync;
  m.xFileSize = FileSize;
  m.xLock = Lock;
  m.xUnlock = Unlock;
  m.xCheckReservedLock = CheckReservedLock;
  m.xFileControl = FileControl;
  m.xSectorSize = SectorSize;
  m.xDeviceCharacteristics = DeviceCharacteristics;
  if (real->iVersion >= 2) {
    m.xShmMap = ShmMap;
    m.xShmLock = ShmLock;
    m.xShmBarrier = ShmBarrier;
    m.xShmUnmap = ShmUnmap;
  }
  if (real->iVersion >= 3) {
    m.xFetch = Fetch;
    m.xUnfetch = Unfetch;
  }
  return m;
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags,
         int* out_flags) {
  auto* ours = reinterpret_cast<FaultFile*>(file);
  ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
  ours->base.pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, ours->real, flags, out_flags);
  if (ours->real->pMethods == nullptr) return rc;
  // One methods table per real version (the unix VFS has a few).
  static sqlite3_io_methods tables[4];
  const int v = ours->real->pMethods->iVersion;
  if (tables[v].xClose == nullptr) tables[v] = MethodsFor(ours->real->pMethods);
  ours->base.pMethods = &tables[v];
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync) {
  return real_vfs->xDelete(real_vfs, name, sync);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}
void DlError(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return real_vfs->xDlSym(real_vfs, h, sym);
}
void DlClose(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int Randomness(sqlite3_vfs*, int n, char* out) {
  return real_vfs->xRandomness(real_vfs, n, out);
}
int Sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int CurrentTime(sqlite3_vfs*, double* out) {
  return real_vfs->xCurrentTime(real_vfs, out);
}
int GetLastError(sqlite3_vfs*, int n, char* out) {
  return real_vfs->xGetLastError(real_vfs, n, out);
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

}  // namespace

absl::Status InstallFaultInjectingVfs(const std::string& file) {
  real_vfs = sqlite3_vfs_find(nullptr);
  if (real_vfs == nullptr) return absl::InternalError("sqlite: no default VFS");
  control_file = new std::string(file);
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  vfs.zName = "codex-manager-fault";
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  if (int rc = sqlite3_vfs_register(&vfs, /*makeDflt=*/1); rc != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("sqlite: cannot register the fault VFS: ",
                     sqlite3_errstr(rc)));
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
