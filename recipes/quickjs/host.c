/*
 * qjs-host: the entry point of the QuickJS image.
 *
 * The quickjs-ng core ships without qjs.c / quickjs-libc.c, so this small
 * program is the whole "operating system" a script sees:
 *
 *   qjs-host SCRIPT.js     run a script file
 *   qjs-host [-]           run the script read from stdin
 *
 * Globals: print(...) and console.log(...) write their arguments, converted
 * with String() and joined by spaces, plus a newline, to stdout;
 * console.error(...) does the same on stderr. host.readStdin() returns the
 * rest of stdin as a string, host.writeStdout(s) / host.writeStderr(s) write
 * a string verbatim, host.exit(code) ends the program. host.entry(fn) calls fn()
 * and returns what it returns, except while the snapshot build preloads the script
 * (wasmimage_preload): then fn is kept as the script's per-call entry, so what the
 * script's top level did is done once, at build time (docs/snapshot.md).
 *
 * Math.random is reseeded from WASI random_get before each script.
 *
 * The same objects also link as a reactor (the snapshot build): wasmimage_init()
 * creates the runtime, context and globals and is run once at image build time,
 * then the memory is snapshotted (wasmimage/pipeline/snapshot.py); each call then gets a
 * fresh copy of that memory and runs one script with wasmimage_alloc() and
 * wasmimage_run(). wasmimage_init() uses no argv, environment or file.
 *
 * An uncaught exception or unhandled promise rejection prints the error and
 * its stack to stderr and exits with 1. A failed write to stdout or stderr
 * (the sandbox's output cap) exits with 3, so a runaway printer stops. An
 * allocation the sandbox's memory cap refuses exits with 4 at once, so a
 * script cannot catch "out of memory" and keep going.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quickjs.h"

#define EXIT_UNCAUGHT 1
#define EXIT_USAGE 2
#define EXIT_OUTPUT_FAILED 3
#define EXIT_OUT_OF_MEMORY 4

/*
 * QuickJS's own recursion limit. It must trip before the engine's native
 * wasm stack (wasmtime's max_wasm_stack, 2 MiB at most) runs out, so deep
 * recursion is a catchable RangeError rather than a trap, and stay below the
 * linker's shadow stack (-z stack-size).
 */
#ifndef JS_STACK_BYTES
#define JS_STACK_BYTES (512 * 1024)
#endif

/*
 * Promises rejected with no handler attached yet. QuickJS reports a rejection
 * when it happens and again when a handler is attached later (`.catch` after
 * the fact, `await` in a try block), so only what is still here after all jobs
 * have run counts as unhandled.
 */
struct rejection {
    JSValue promise;
    JSValue reason;
};
static struct rejection *unhandled;
static int unhandled_count, unhandled_capacity;

/*
 * A snapshot call's output (wasmimage_run): kept in this memory, up to caps its caller
 * sets, where the caller reads it (and trusts only up to its own caps). The command has
 * none and writes to WASI stdout and stderr instead.
 */
struct capture {
    char *data;
    uint32_t len, cap, truncated;
};
static struct capture *captured; /* [0] stdout, [1] stderr, or NULL */
static size_t captured_room[2];
static int out_of_memory_now;

static void append_or_exit(struct capture *out, size_t *room, const char *bytes, size_t len)
{
    size_t kept = len < out->cap - out->len ? len : out->cap - out->len;
    if (out->len + kept > *room && !out_of_memory_now) {
        size_t grown = *room ? *room : 256;
        while (grown < out->len + kept)
            grown *= 2;
        if (grown > out->cap)
            grown = out->cap;
        char *bigger = realloc(out->data, grown);
        if (bigger) {
            out->data = bigger;
            *room = grown;
        }
    }
    if (kept > *room - out->len) /* out of memory: keep what fits */
        kept = *room - out->len;
    memcpy(out->data + out->len, bytes, kept);
    out->len += kept;
    if (kept < len && !out_of_memory_now) {
        if (out->len < out->cap)
            exit(EXIT_OUT_OF_MEMORY);
        out->truncated = 1;
        exit(EXIT_OUTPUT_FAILED);
    }
}

static void write_or_exit(FILE *stream, const char *bytes, size_t len)
{
    if (captured) {
        int index = stream == stderr;
        append_or_exit(&captured[index], &captured_room[index], bytes, len);
    } else if (fwrite(bytes, 1, len, stream) != len || fflush(stream) != 0) {
        exit(EXIT_OUTPUT_FAILED);
    }
}

static void write_text(FILE *stream, const char *text)
{
    write_or_exit(stream, text, strlen(text));
}

static void out_of_memory(void)
{
    out_of_memory_now = 1; /* the message goes out only as far as it fits without allocating */
    write_text(stderr, "qjs-host: out of memory\n");
    exit(EXIT_OUT_OF_MEMORY);
}

static void *checked_calloc(void *opaque, size_t count, size_t size)
{
    void *ptr = calloc(count, size);
    if (!ptr && count && size)
        out_of_memory();
    return ptr;
}

static void *checked_malloc(void *opaque, size_t size)
{
    void *ptr = malloc(size);
    if (!ptr && size)
        out_of_memory();
    return ptr;
}

static void plain_free(void *opaque, void *ptr)
{
    free(ptr);
}

static void *checked_realloc(void *opaque, void *ptr, size_t size)
{
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    void *bigger = realloc(ptr, size);
    if (!bigger)
        out_of_memory();
    return bigger;
}

static size_t usable_size(const void *ptr)
{
    return 0; /* unknown: QuickJS then counts requested sizes */
}

static const JSMallocFunctions checked_allocator = {
    checked_calloc, checked_malloc, plain_free, checked_realloc, usable_size,
};

static char *read_all(FILE *stream, size_t *len_out)
{
    size_t cap = 65536, len = 0, n;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    while ((n = fread(buf + len, 1, cap - len, stream)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    *len_out = len;
    return buf;
}

/* Writes String(arg) for each argument, space-separated, then a newline. */
static JSValue write_line(JSContext *ctx, FILE *stream, int argc, JSValueConst *argv)
{
    for (int i = 0; i < argc; i++) {
        size_t len;
        const char *text = JS_ToCStringLen(ctx, &len, argv[i]);
        if (!text)
            return JS_EXCEPTION;
        if (i > 0)
            write_or_exit(stream, " ", 1);
        write_or_exit(stream, text, len);
        JS_FreeCString(ctx, text);
    }
    write_or_exit(stream, "\n", 1);
    return JS_UNDEFINED;
}

static JSValue js_print(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return write_line(ctx, stdout, argc, argv);
}

static JSValue js_print_error(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return write_line(ctx, stderr, argc, argv);
}

static JSValue write_verbatim(JSContext *ctx, FILE *stream, int argc, JSValueConst *argv)
{
    size_t len;
    const char *text = JS_ToCStringLen(ctx, &len, argc > 0 ? argv[0] : JS_UNDEFINED);
    if (!text)
        return JS_EXCEPTION;
    write_or_exit(stream, text, len);
    JS_FreeCString(ctx, text);
    return JS_UNDEFINED;
}

static JSValue js_write_stdout(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return write_verbatim(ctx, stdout, argc, argv);
}

static JSValue js_write_stderr(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    return write_verbatim(ctx, stderr, argc, argv);
}

static JSValue js_read_stdin(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    size_t len;
    char *bytes = read_all(stdin, &len);
    if (!bytes)
        return JS_ThrowOutOfMemory(ctx);
    JSValue text = JS_NewStringLen(ctx, bytes, len);
    free(bytes);
    return text;
}

/*
 * Preloaded scripts (the image's executors): wasmimage_preload runs each one's top level
 * after wasmimage_init, at build time, and keeps the function it hands host.entry in a
 * slot; wasmimage_run_preloaded(call, slot) calls it.
 */
#define MAX_PRELOADED 8
static JSValue preloaded[MAX_PRELOADED];
static int preloaded_count, preloading;

static JSValue js_entry(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    JSValueConst fn = argc > 0 ? argv[0] : JS_UNDEFINED;
    if (!JS_IsFunction(ctx, fn))
        return JS_ThrowTypeError(ctx, "host.entry: not a function");
    if (!preloading)
        return JS_Call(ctx, fn, JS_UNDEFINED, 0, NULL);
    if (preloaded_count == MAX_PRELOADED || !JS_IsUndefined(preloaded[preloaded_count]))
        return JS_ThrowTypeError(ctx, "host.entry: called twice, or too many preloaded scripts");
    preloaded[preloaded_count] = JS_DupValue(ctx, fn);
    return JS_UNDEFINED;
}

static JSValue js_exit(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    int code = 0;
    if (argc > 0 && JS_ToInt32(ctx, &code, argv[0]))
        return JS_EXCEPTION;
    fflush(stdout);
    fflush(stderr);
    exit(code);
}

/*
 * Math.random: QuickJS's own xorshift64*, but with a state this host reseeds from
 * WASI random_get before each script. The engine seeds its state once, from the
 * clock, when the context is created: in a snapshot that would be the same for
 * every call.
 */
static uint64_t random_state;

static void reseed_random(void)
{
    if (getentropy(&random_state, sizeof random_state) != 0 || random_state == 0)
        random_state = 0x9e3779b97f4a7c15u;
}

static JSValue js_math_random(JSContext *ctx, JSValueConst this_val, int argc, JSValueConst *argv)
{
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    uint64_t bits = random_state * 0x2545F4914F6CDD1Du;
    union { uint64_t u; double d; } one_to_two = {((uint64_t)0x3ff << 52) | (bits >> 12)};
    return JS_NewFloat64(ctx, one_to_two.d - 1.0);
}

static void set_function(JSContext *ctx, JSValue obj, const char *name, JSCFunction *fn, int length)
{
    JS_SetPropertyStr(ctx, obj, name, JS_NewCFunction(ctx, fn, name, length));
}

static void define_globals(JSContext *ctx)
{
    JSValue global = JS_GetGlobalObject(ctx);
    JSValue console = JS_NewObject(ctx);
    JSValue host = JS_NewObject(ctx);

    set_function(ctx, global, "print", js_print, 1);
    set_function(ctx, console, "log", js_print, 1);
    set_function(ctx, console, "info", js_print, 1);
    set_function(ctx, console, "error", js_print_error, 1);
    set_function(ctx, console, "warn", js_print_error, 1);
    set_function(ctx, host, "readStdin", js_read_stdin, 0);
    set_function(ctx, host, "writeStdout", js_write_stdout, 1);
    set_function(ctx, host, "writeStderr", js_write_stderr, 1);
    set_function(ctx, host, "exit", js_exit, 1);
    set_function(ctx, host, "entry", js_entry, 1);
    JS_SetPropertyStr(ctx, global, "console", console);
    JS_SetPropertyStr(ctx, global, "host", host);
    JSValue math = JS_GetPropertyStr(ctx, global, "Math");
    JS_DefinePropertyValueStr(ctx, math, "random", JS_NewCFunction(ctx, js_math_random, "random", 0),
                              JS_PROP_WRITABLE | JS_PROP_CONFIGURABLE);
    JS_FreeValue(ctx, math);
    JS_FreeValue(ctx, global);
}

/* Prints "Name: message" and the stack of an exception value to stderr. */
static void report_error(JSContext *ctx, JSValueConst error)
{
    const char *text = JS_ToCString(ctx, error);
    write_text(stderr, "Uncaught ");
    write_text(stderr, text ? text : "(unprintable exception)");
    write_text(stderr, "\n");
    JS_FreeCString(ctx, text);
    if (JS_IsError(error)) {
        JSValue stack = JS_GetPropertyStr(ctx, error, "stack");
        if (!JS_IsUndefined(stack)) {
            const char *trace = JS_ToCString(ctx, stack);
            if (trace)
                write_text(stderr, trace);
            JS_FreeCString(ctx, trace);
        }
        JS_FreeValue(ctx, stack);
    }
    fflush(stderr);
}

static void report_pending_exception(JSContext *ctx)
{
    JSValue error = JS_GetException(ctx);
    report_error(ctx, error);
    JS_FreeValue(ctx, error);
}

static void track_rejection(JSContext *ctx, JSValueConst promise, JSValueConst reason,
                            bool is_handled, void *opaque)
{
    if (!is_handled) {
        if (unhandled_count == unhandled_capacity) {
            unhandled_capacity = unhandled_capacity ? 2 * unhandled_capacity : 16;
            unhandled = realloc(unhandled, unhandled_capacity * sizeof *unhandled);
            if (!unhandled)
                out_of_memory();
        }
        unhandled[unhandled_count++] = (struct rejection){JS_DupValue(ctx, promise), JS_DupValue(ctx, reason)};
        return;
    }
    for (int i = 0; i < unhandled_count; i++) {
        if (JS_IsSameValue(ctx, unhandled[i].promise, promise)) {
            JS_FreeValue(ctx, unhandled[i].promise);
            JS_FreeValue(ctx, unhandled[i].reason);
            unhandled[i] = unhandled[--unhandled_count];
            return;
        }
    }
}

/* Reports the rejections nobody handled; returns how many there were. */
static int report_unhandled_rejections(JSContext *ctx)
{
    for (int i = 0; i < unhandled_count; i++) {
        write_text(stderr, "Unhandled promise rejection: ");
        report_error(ctx, unhandled[i].reason);
    }
    return unhandled_count;
}

/* Runs queued promise jobs until none is left; returns 0 or -1 on an uncaught error. */
static int drain_jobs(JSRuntime *rt)
{
    JSContext *job_ctx;
    int status;
    while ((status = JS_ExecutePendingJob(rt, &job_ctx)) != 0) {
        if (status < 0) {
            report_pending_exception(job_ctx);
            return -1;
        }
    }
    return 0;
}

static JSRuntime *runtime;
static JSContext *context;

/* The runtime, context and globals: no argv, environment or file involved (snapshot-safe). */
void wasmimage_init(void)
{
    runtime = JS_NewRuntime2(&checked_allocator, NULL);
    JS_SetMaxStackSize(runtime, JS_STACK_BYTES);
    JS_SetHostPromiseRejectionTracker(runtime, track_rejection, NULL);
    context = JS_NewContext(runtime);
    define_globals(context);
}

/* Room for a call's arguments, for the snapshot's caller to fill; 0 when memory is short. */
void *wasmimage_alloc(size_t size)
{
    return malloc(size);
}

/* Reports what a script's evaluation left (an exception, failed jobs, rejections); returns the exit code. */
static int finish(JSValue result)
{
    int exit_code = 0;
    if (JS_IsException(result)) {
        report_pending_exception(context);
        exit_code = EXIT_UNCAUGHT;
    } else if (drain_jobs(runtime) < 0 || report_unhandled_rejections(context) > 0) {
        exit_code = EXIT_UNCAUGHT;
    }
    JS_FreeValue(context, result);
    fflush(stdout);
    fflush(stderr);
    /* The instance ends here; freeing the runtime would only cost time. */
    return exit_code;
}

/* Runs one script (source[source_len] must be 0) as `filename`, then its promise jobs; returns the exit code. */
static int run_script(const char *filename, const char *source, size_t source_len)
{
    reseed_random();
    return finish(JS_Eval(context, source, source_len, filename, JS_EVAL_TYPE_GLOBAL));
}

/*
 * The snapshot's call. `call` (from wasmimage_alloc) holds two struct capture (stdout,
 * stderr: the caller sets each cap, the rest 0), the file name, a NUL, the source, a NUL.
 * Output goes into the captures, which stay readable after the call ends in any way.
 */
int wasmimage_run(char *call, size_t filename_len, size_t source_len)
{
    captured = (struct capture *)call;
    const char *filename = call + 2 * sizeof(struct capture);
    return run_script(filename, filename + filename_len + 1, source_len);
}

/*
 * Build time, after wasmimage_init: runs a script's top level (laid out like a wasmimage_run
 * call), which must hand host.entry its per-call function. Returns its slot, or -1 (the
 * error is on stderr, which fails the snapshot stage).
 */
int wasmimage_preload(char *call, size_t filename_len, size_t source_len)
{
    const char *filename = call + 2 * sizeof(struct capture);
    int slot = preloaded_count;
    if (slot == MAX_PRELOADED)
        return -1;
    preloaded[slot] = JS_UNDEFINED;
    preloading = 1;
    JSValue result = JS_Eval(context, filename + filename_len + 1, source_len, filename, JS_EVAL_TYPE_GLOBAL);
    preloading = 0;
    if (finish(result) != 0)
        return -1;
    if (JS_IsUndefined(preloaded[slot])) {
        write_text(stderr, "qjs-host: the preloaded script did not call host.entry(fn)\n");
        return -1;
    }
    return preloaded_count++;
}

/* A call of a preloaded script: `call` holds only the two captures. */
int wasmimage_run_preloaded(char *call, int slot)
{
    captured = (struct capture *)call;
    if (slot < 0 || slot >= preloaded_count)
        return EXIT_USAGE;
    reseed_random();
    return finish(JS_Call(context, preloaded[slot], JS_UNDEFINED, 0, NULL));
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "-";
    FILE *script_file = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!script_file) {
        fprintf(stderr, "qjs-host: cannot open %s\n", path);
        return EXIT_USAGE;
    }
    size_t source_len;
    char *source = read_all(script_file, &source_len);
    if (script_file != stdin)
        fclose(script_file);
    if (!source) {
        fputs("qjs-host: out of memory reading the script\n", stderr);
        return EXIT_USAGE;
    }
    wasmimage_init();
    return run_script(strcmp(path, "-") ? path : "<stdin>", source, source_len);
}
