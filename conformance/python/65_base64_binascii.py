# base64 and binascii: the standard encodings, URL-safe variants, hex and checksums.
import base64
import binascii

data = "Grüße, wörld! ~~~???".encode()
print(base64.b64encode(data))
print(base64.urlsafe_b64encode(data))
print(base64.b32encode(b"hello"), base64.b16encode(b"\xde\xad\xbe\xef"))
print(base64.a85encode(b"hello world"), base64.b85encode(b"hello world"))
print(base64.b64decode(b"SGVsbG8=").decode())
print(base64.b32decode(b"NBSWY3DP"), base64.b16decode("DEADBEEF"))
print(base64.urlsafe_b64decode(base64.urlsafe_b64encode(data)) == data)
print(base64.standard_b64encode(bytes(range(250, 256))))
try:
    base64.b64decode(b"abc", validate=True)
except binascii.Error as e:
    print("binascii.Error, a ValueError:", isinstance(e, ValueError))
print(binascii.hexlify(b"\x01\xab"), binascii.unhexlify("01ab"), binascii.hexlify(b"abc", "-"))
print(binascii.crc32(b"hello world"), binascii.crc_hqx(b"hello", 0))
print(bytes.fromhex("de ad be ef").hex(":"), b"\x00\xff".hex())
