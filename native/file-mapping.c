// Read-only memory maps of files, for sending file bytes to a socket without first copying them into a
// buffer: Node has pread (a copy) but no mmap. Three calls, nothing else:
//   map(fd, offset, length)          -> ArrayBuffer over the file's pages (PROT_READ, MAP_SHARED)
//   resident(arrayBuffer, at, length) -> whether every page of that range is in the page cache now (mincore)
//   unmap(arrayBuffer)               -> detaches the ArrayBuffer and unmaps it now, not at garbage collection
// The mapping is released by whichever comes first of unmap() and the ArrayBuffer's finalizer.
#define NAPI_VERSION 8
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
  void *address;
  size_t length;
} Mapping;

#define CHECK(env, call)                                   \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error((env), NULL, "N-API call failed: " #call); \
      return NULL;                                         \
    }                                                      \
  } while (0)

static void release(Mapping *m) {
  if (m->address != NULL) munmap(m->address, m->length);
  m->address = NULL;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Mapping *m = data;
  release(m);
  free(m);
}

static napi_value throw_errno(napi_env env, const char *what, int error) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(error));
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int64_t integer_arg(napi_env env, napi_value value, int *ok) {
  int64_t n = 0;
  *ok = napi_get_value_int64(env, value, &n) == napi_ok && n >= 0;
  return n;
}

// Reads the mapping a wrapped ArrayBuffer carries; NULL (with an exception pending) when it has none.
static Mapping *mapping_of(napi_env env, napi_value buffer) {
  Mapping *m = NULL;
  if (napi_unwrap(env, buffer, (void **)&m) != napi_ok || m == NULL) {
    napi_throw_type_error(env, NULL, "Expected an ArrayBuffer made by map()");
    return NULL;
  }
  return m;
}

static napi_value map(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int ok_fd, ok_offset, ok_length;
  int64_t fd = integer_arg(env, argv[0], &ok_fd);
  int64_t offset = integer_arg(env, argv[1], &ok_offset);
  int64_t length = integer_arg(env, argv[2], &ok_length);
  if (argc < 3 || !ok_fd || !ok_offset || !ok_length || length == 0 || offset % sysconf(_SC_PAGESIZE) != 0) {
    napi_throw_range_error(env, NULL, "map(fd, offset, length): offset a multiple of the page size, length > 0");
    return NULL;
  }
  void *address = mmap(NULL, (size_t)length, PROT_READ, MAP_SHARED, (int)fd, (off_t)offset);
  if (address == MAP_FAILED) return throw_errno(env, "mmap", errno);
  Mapping *m = malloc(sizeof *m);
  if (m == NULL) {
    munmap(address, (size_t)length);
    return throw_errno(env, "malloc", ENOMEM);
  }
  m->address = address;
  m->length = (size_t)length;
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, address, (size_t)length, NULL, NULL, &buffer) != napi_ok ||
      napi_wrap(env, buffer, m, finalize, NULL, NULL) != napi_ok) {
    release(m);
    free(m);
    napi_throw_error(env, NULL, "Cannot wrap the mapping in an ArrayBuffer");
    return NULL;
  }
  return buffer;
}

static napi_value resident(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Mapping *m = mapping_of(env, argv[0]);
  if (m == NULL) return NULL;
  int ok_at, ok_length;
  int64_t at = integer_arg(env, argv[1], &ok_at);
  int64_t length = integer_arg(env, argv[2], &ok_length);
  if (argc < 3 || !ok_at || !ok_length || (uint64_t)at + (uint64_t)length > m->length) {
    napi_throw_range_error(env, NULL, "resident(buffer, at, length): range outside the mapping");
    return NULL;
  }
  napi_value result;
  if (m->address == NULL) {
    CHECK(env, napi_get_boolean(env, false, &result));
    return result;
  }
  const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t)m->address + (uintptr_t)at) & ~(page - 1);
  const uintptr_t end = (uintptr_t)m->address + (uintptr_t)at + (uintptr_t)length;
  unsigned char pages[256];
  bool all = true;
  while (all && start < end) {
    size_t n = (end - start + page - 1) / page;
    if (n > sizeof pages) n = sizeof pages;
    if (mincore((void *)start, n * page, pages) != 0) return throw_errno(env, "mincore", errno);
    for (size_t i = 0; i < n; i++) {
      if ((pages[i] & 1) == 0) {
        all = false;
        break;
      }
    }
    start += n * page;
  }
  CHECK(env, napi_get_boolean(env, all, &result));
  return result;
}

static napi_value unmap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Mapping *m = mapping_of(env, argv[0]);
  if (m == NULL) return NULL;
  // detached first: no JavaScript view can reach the pages once they are gone
  CHECK(env, napi_detach_arraybuffer(env, argv[0]));
  release(m);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"map", NULL, map, NULL, NULL, NULL, napi_enumerable, NULL},
      {"resident", NULL, resident, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unmap", NULL, unmap, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(env, napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
