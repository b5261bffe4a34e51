# hashlib: digests of known inputs, incremental updates, copy(), and hmac.
import hashlib
import hmac

for name in ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "blake2b", "blake2s"):
    print(name, hashlib.new(name, b"abc").hexdigest())
print(hashlib.sha256(b"").hexdigest())
h = hashlib.sha256()
h.update("Grüße".encode())
snapshot = h.copy()
h.update(b" and more")
print(snapshot.hexdigest()[:16], h.hexdigest()[:16], h.digest_size, h.block_size, h.name)
print(hashlib.sha256("Grüße and more".encode()).hexdigest()[:16])
print(hashlib.blake2b(b"abc", digest_size=16).hexdigest(), hashlib.blake2s(b"k", key=b"key").hexdigest()[:16])
print(hashlib.md5(b"a" * 1000).hexdigest())
mac = hmac.new(b"secret-key", b"message", hashlib.sha256)
print(mac.hexdigest())
print(hmac.compare_digest(mac.digest(), hmac.new(b"secret-key", b"message", "sha256").digest()))
print(hmac.compare_digest("abc", "abd"))
