/* CPython as a WASI reactor with the snapshot ABI (wasmimage/runtime/snapshot_abi.py,
 * docs/snapshot.md), linked from the same objects as python.wasm (reactor.mk).
 *
 * wasmimage_init boots the interpreter once, at image build time: getpath, the encodings,
 * `site` and this image's sitecustomize, all read from the image's own standard library zip.
 * Every call then starts from a copy of that memory and only runs its script, the way
 * `python /script/main.py ARGS` would, with the caller's arguments, environment and
 * directories (read here, per call, never at init). Output goes to the WASI streams the
 * runner caps, as in the command; the ABI's capture buffers stay empty.
 *
 * The per-call Python half is _wasmimage_snapshot.py, in the standard library zip.
 */
#define PY_SSIZE_T_CLEAN
#include "Python.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasi/libc-environ.h>
#include <wasi/libc.h>

#define CAPTURES_SIZE 32  /* the ABI's two capture headers, which this image leaves empty */
#define FIRST_PREOPEN 3

static PyObject *prepare;       /* _wasmimage_snapshot.prepare(filename, source, argv, env) -> globals */
static PyObject *finish;        /* _wasmimage_snapshot.finish() -> exit code: atexit, flush */

/* The scripts wasmimage_preload ran at build time (the image's executors): each one's `main`, file name and source */
#define MAX_PRELOADED 8
static struct {
    PyObject *main, *filename, *source;
} preloaded[MAX_PRELOADED];
static int preloaded_count;
static __wasi_fd_t preopens_end; /* the first descriptor after the image's own mounts at init */

static void fail(const char *what) {
    /* init runs at build time only: a trap there fails the snapshot stage, which names the export */
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    fprintf(stderr, "wasmimage_init: %s\n", what);
    __builtin_trap();
}

static __wasi_fd_t first_free_descriptor(void) {
    __wasi_fdstat_t stat;
    __wasi_fd_t fd = FIRST_PREOPEN;
    while (__wasi_fd_fdstat_get(fd, &stat) == 0) {
        fd++;
    }
    return fd;
}

__attribute__((export_name("wasmimage_init"))) void wasmimage_init(void) {
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.parse_argv = 0;
    /* str hashes are fixed by the snapshot anyway; say so instead of hashing with zero "entropy" */
    config.use_hash_seed = 1;
    config.hash_seed = 0;
    PyStatus status = PyConfig_SetString(&config, &config.program_name, L"/usr/local/bin/python");
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        fail(status.err_msg ? status.err_msg : "Py_InitializeFromConfig failed");
    }
    PyObject *module = PyImport_ImportModule("_wasmimage_snapshot");
    if (!module || !(prepare = PyObject_GetAttrString(module, "prepare")) ||
        !(finish = PyObject_GetAttrString(module, "finish"))) {
        fail("cannot import _wasmimage_snapshot from the standard library zip");
    }
    Py_DECREF(module);
    /* A descriptor still open here would be another file in every call: the mounts only. */
    preopens_end = first_free_descriptor();
}

__attribute__((export_name("wasmimage_alloc"))) void *wasmimage_alloc(size_t size) {
    return malloc(size);
}

/* Directories the caller granted for this call come after the image's mounts: tell libc. */
static void register_granted_directories(void) {
    for (__wasi_fd_t fd = preopens_end;; fd++) {
        __wasi_prestat_t prestat;
        if (__wasi_fd_prestat_get(fd, &prestat) != 0 || prestat.tag != __WASI_PREOPENTYPE_DIR) {
            return;
        }
        size_t length = prestat.u.dir.pr_name_len;
        char *name = malloc(length + 1);
        if (name && __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, length) == 0) {
            name[length] = '\0';
            __wasilibc_register_preopened_fd(fd, name);
        }
        free(name);
    }
}

/* The call's arguments after the interpreter's own path: sys.argv, as `python SCRIPT ARGS` sets it. */
static PyObject *call_argv(void) {
    size_t count, size;
    if (__wasi_args_sizes_get(&count, &size) != 0) {
        return PyList_New(0);
    }
    char **argv = calloc(count + 1, sizeof(char *));
    char *buffer = malloc(size + 1);
    PyObject *list = PyList_New(0);
    if (argv && buffer && list && __wasi_args_get((uint8_t **)argv, (uint8_t *)buffer) == 0) {
        for (size_t i = 1; i < count; i++) {
            PyObject *arg = PyUnicode_DecodeFSDefault(argv[i]);
            if (!arg || PyList_Append(list, arg) < 0) {
                Py_XDECREF(arg);
                Py_CLEAR(list);
                break;
            }
            Py_DECREF(arg);
        }
    }
    free(argv);
    free(buffer);
    return list;
}

/* The call's environment ("NAME=value" bytes), read again: libc read an empty one at init. */
static PyObject *call_environ(void) {
    __wasilibc_deinitialize_environ();
    __wasilibc_initialize_environ();
    PyObject *list = PyList_New(0);
    for (char **entry = environ; list && entry && *entry; entry++) {
        PyObject *item = PyBytes_FromString(*entry);
        if (!item || PyList_Append(list, item) < 0) {
            Py_CLEAR(list);
        }
        Py_XDECREF(item);
    }
    return list;
}

/* Runs `source` as __main__, or calls `entry` (a preloaded script's main) instead, with the
 * call's arguments, environment and directories; then what Python does at exit. The exit code. */
static int run_main(PyObject *filename, PyObject *source, PyObject *entry) {
    register_granted_directories();
    PyObject *argv = call_argv(), *env = call_environ();
    PyObject *globals = argv && env ? PyObject_CallFunctionObjArgs(prepare, filename, source, argv, env, NULL)
                                    : NULL;
    Py_XDECREF(argv);
    Py_XDECREF(env);
    int exit_code = 0;
    PyObject *result = NULL;
    if (globals && entry) {
        result = PyObject_CallNoArgs(entry);
    } else if (globals) {
        PyObject *code = Py_CompileStringObject(PyBytes_AS_STRING(source), filename, Py_file_input, NULL, -1);
        result = code ? PyEval_EvalCode(code, globals, globals) : NULL;
        Py_XDECREF(code);
    }
    Py_XDECREF(globals);
    if (!result) {
        PyErr_Print(); /* SystemExit ends the process here, with its code, as in the command */
        exit_code = 1;
    }
    Py_XDECREF(result);
    PyObject *finished = PyObject_CallNoArgs(finish);
    if (!finished) {
        PyErr_Print();
        return 120; /* what CPython exits with when flushing at exit fails */
    }
    Py_DECREF(finished);
    return exit_code;
}

/* The ABI's call buffer: the captures, the file name, NUL, the source, NUL. */
static int decode_call(const char *call, size_t filename_len, size_t source_len, PyObject **filename,
                       PyObject **source) {
    const char *name = call + CAPTURES_SIZE;
    *filename = PyUnicode_DecodeFSDefaultAndSize(name, (Py_ssize_t)filename_len);
    *source = PyBytes_FromStringAndSize(name + filename_len + 1, (Py_ssize_t)source_len);
    return *filename && *source ? 0 : -1;
}

__attribute__((export_name("wasmimage_run"))) int wasmimage_run(const char *call, size_t filename_len,
                                                                  size_t source_len) {
    PyObject *filename, *source;
    int exit_code = 1;
    if (decode_call(call, filename_len, source_len, &filename, &source) == 0) {
        exit_code = run_main(filename, source, NULL);
    } else {
        PyErr_Print();
    }
    Py_XDECREF(filename);
    Py_XDECREF(source);
    return exit_code;
}

/* Build time, after init: runs a script's top level (an executor's imports and definitions) in a
 * module namespace of its own named __wasmimage_preload__, so its `if __name__ == "__main__"`
 * guard does not fire, and keeps its `main` for wasmimage_run_preloaded. Returns the slot, or
 * -1 (the reason is on stderr, which fails the snapshot stage). */
__attribute__((export_name("wasmimage_preload"))) int wasmimage_preload(const char *call, size_t filename_len,
                                                                          size_t source_len) {
    PyObject *filename = NULL, *source = NULL, *namespace = NULL, *code = NULL, *result = NULL, *entry = NULL;
    int slot = -1;
    if (preloaded_count < MAX_PRELOADED && decode_call(call, filename_len, source_len, &filename, &source) == 0 &&
        (namespace = Py_BuildValue("{s:s,s:O,s:O}", "__name__", "__wasmimage_preload__", "__file__", filename,
                                   "__builtins__", PyEval_GetBuiltins())) &&
        (code = Py_CompileStringObject(PyBytes_AS_STRING(source), filename, Py_file_input, NULL, -1)) &&
        (result = PyEval_EvalCode(code, namespace, namespace))) {
        entry = PyDict_GetItemString(namespace, "main"); /* borrowed */
        if (entry && PyCallable_Check(entry)) {
            slot = preloaded_count++;
            preloaded[slot].main = Py_NewRef(entry);
            preloaded[slot].filename = Py_NewRef(filename);
            preloaded[slot].source = Py_NewRef(source);
        } else {
            fprintf(stderr, "wasmimage_preload: the script defines no callable main()\n");
        }
    }
    if (PyErr_Occurred()) {
        PyErr_Print();
    }
    Py_XDECREF(filename);
    Py_XDECREF(source);
    Py_XDECREF(namespace);
    Py_XDECREF(code);
    Py_XDECREF(result);
    return slot;
}

__attribute__((export_name("wasmimage_run_preloaded"))) int wasmimage_run_preloaded(const char *call, int slot) {
    (void)call;
    if (slot < 0 || slot >= preloaded_count) {
        return 2;
    }
    return run_main(preloaded[slot].filename, preloaded[slot].source, preloaded[slot].main);
}
