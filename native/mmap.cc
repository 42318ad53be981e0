// sluice_mmap: the smallest native surface the mmap backend needs (src/io/mmap-file.ts).
//
// Safety rule: a mapping is unmapped only by the finalizer of the Buffer that owns it, which
// V8 runs once no view (Buffer, subarray, typed array) can reach the memory. Unmapping
// earlier would turn a still-reachable view into a SIGSEGV, so there is no `unmap` export;
// callers that are done with a window advise DONTNEED instead (pages re-read on demand).

#include <napi.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

// Doubles hold integers exactly up to 2^53; beyond that an offset would silently round.
constexpr double kMaxExactInteger = 9007199254740992.0;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

[[noreturn]] void ThrowErrno(Napi::Env env, const char* call, int err) {
  Napi::Error error = Napi::Error::New(env, std::string(call) + ": " + std::strerror(err));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, call));
  throw error;
}

[[noreturn]] void ThrowRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

[[noreturn]] void ThrowType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

// A non-negative integer argument that fits a double exactly.
double IntegerArg(const Napi::CallbackInfo& info, size_t index, const char* call, const char* name) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsNumber()) {
    ThrowType(env, std::string(call) + ": " + name + " must be a number");
  }
  double value = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(value) || value < 0 || std::floor(value) != value || value > kMaxExactInteger) {
    ThrowRange(env, std::string(call) + ": " + name + " must be a non-negative integer below 2^53");
  }
  return value;
}

// A Buffer that owns the mapping [address, address + size): unmapped by its finalizer only.
Napi::Value OwnMapping(Napi::Env env, void* address, size_t size) {
  Napi::Buffer<char> buffer;
  try {
    buffer = Napi::Buffer<char>::New(env, static_cast<char*>(address), size, [size](Napi::Env finalEnv, char* data) {
      munmap(data, size);
      // Raw call: the wrapper aborts the process on failure, which a finalizer running at
      // environment teardown must never risk for a bookkeeping hint.
      int64_t ignored;
      napi_adjust_external_memory(finalEnv, -static_cast<int64_t>(size), &ignored);
    });
  } catch (...) {
    // No Buffer owns the mapping, so nothing can reach it: unmapping here is safe.
    munmap(address, size);
    throw;
  }
  // Mapped windows are invisible to V8's heap accounting; without this, dropped windows are
  // not collected before the kernel's map count limit (vm.max_map_count) is hit.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(size));
  return buffer;
}

// map(fd, offset, length): a read-only shared mapping as an external Buffer.
Napi::Value Map(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double fd = IntegerArg(info, 0, "map", "fd");
  double offset = IntegerArg(info, 1, "map", "offset");
  double length = IntegerArg(info, 2, "map", "length");
  if (fd > 2147483647.0) ThrowRange(env, "map: fd out of range");
  if (std::fmod(offset, static_cast<double>(PageSize())) != 0) {
    ThrowRange(env, "map: offset must be a multiple of the page size (" + std::to_string(PageSize()) + ")");
  }
  if (length == 0) ThrowRange(env, "map: length must be positive");
  if (length > static_cast<double>(SIZE_MAX)) ThrowRange(env, "map: length too large");

  const size_t size = static_cast<size_t>(length);
  // Private and writable, though sluice never writes through it: a stray write to a batch
  // view then copies the page instead of killing the process, and never reaches the file.
  void* address = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, static_cast<int>(fd),
                       static_cast<off_t>(offset));
  if (address == MAP_FAILED) ThrowErrno(env, "map", errno);

  return OwnMapping(env, address, size);
}

// alignedBuffer(length): zeroed anonymous memory, page aligned (what O_DIRECT writes need,
// and what no JavaScript allocation promises), owned and unmapped by the Buffer like map's.
Napi::Value AlignedBuffer(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double length = IntegerArg(info, 0, "alignedBuffer", "length");
  if (length == 0) ThrowRange(env, "alignedBuffer: length must be positive");
  if (length > static_cast<double>(SIZE_MAX)) ThrowRange(env, "alignedBuffer: length too large");
  const size_t size = static_cast<size_t>(length);
  void* address = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED) ThrowErrno(env, "alignedBuffer", errno);
  return OwnMapping(env, address, size);
}

int AdviceFromName(Napi::Env env, const std::string& name) {
  if (name == "normal") return MADV_NORMAL;
  if (name == "sequential") return MADV_SEQUENTIAL;
  if (name == "willneed") return MADV_WILLNEED;
  if (name == "dontneed") return MADV_DONTNEED;
  ThrowType(env, "advise: advice must be 'normal', 'sequential', 'willneed' or 'dontneed', not '" + name + "'");
}

// advise(buffer, advice, offset?, length?): madvise on the pages covering a subrange of a
// Buffer returned by map (its base is page aligned; rounding stays inside the mapping).
Napi::Value Advise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsBuffer()) ThrowType(env, "advise: buffer must be a Buffer returned by map");
  if (!info[1].IsString()) ThrowType(env, "advise: advice must be a string");
  Napi::Buffer<char> buffer = info[0].As<Napi::Buffer<char>>();
  const int advice = AdviceFromName(env, info[1].As<Napi::String>().Utf8Value());

  const uintptr_t base = reinterpret_cast<uintptr_t>(buffer.Data());
  const size_t page = PageSize();
  if (base % page != 0) ThrowRange(env, "advise: buffer is not page aligned (pass the Buffer map returned)");

  const size_t total = buffer.Length();
  const bool hasOffset = info.Length() > 2 && !info[2].IsUndefined();
  const bool hasLength = info.Length() > 3 && !info[3].IsUndefined();
  const double offset = hasOffset ? IntegerArg(info, 2, "advise", "offset") : 0;
  if (offset > static_cast<double>(total)) ThrowRange(env, "advise: offset past the end of the buffer");
  const size_t start = static_cast<size_t>(offset);
  const double length = hasLength ? IntegerArg(info, 3, "advise", "length") : static_cast<double>(total - start);
  const size_t end = start + static_cast<size_t>(std::fmin(length, static_cast<double>(total - start)));
  if (end == start) return env.Undefined();

  // The mapping spans whole pages, so rounding the end up to a page stays inside it.
  const size_t alignedStart = start - start % page;
  const size_t alignedEnd = (end + page - 1) / page * page;
  if (madvise(reinterpret_cast<void*>(base + alignedStart), alignedEnd - alignedStart, advice) != 0) {
    ThrowErrno(env, "advise", errno);
  }
  return env.Undefined();
}

Napi::Value GetPageSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(PageSize()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("map", Napi::Function::New(env, Map, "map"));
  exports.Set("advise", Napi::Function::New(env, Advise, "advise"));
  exports.Set("pageSize", Napi::Function::New(env, GetPageSize, "pageSize"));
  exports.Set("alignedBuffer", Napi::Function::New(env, AlignedBuffer, "alignedBuffer"));
  return exports;
}

}  // namespace

NODE_API_MODULE(sluice_mmap, Init)
