# uuid: parsing, fields and the name-based (deterministic) versions 3 and 5.
import uuid

u = uuid.UUID("12345678-1234-5678-1234-567812345678")
print(u, u.hex, u.int, u.version, u.variant, u.fields[:2], u.urn)
print(uuid.UUID("{12345678123456781234567812345678}") == u, uuid.UUID(bytes=u.bytes) == u, u.bytes_le.hex())
print(uuid.uuid3(uuid.NAMESPACE_DNS, "python.org"), uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))
print(uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/ü"), uuid.NAMESPACE_OID)
r = uuid.uuid4()
print(r.version, len(str(r)), r != uuid.uuid4())
try:
    uuid.UUID("not-a-uuid")
except ValueError:
    print("ValueError")
print(sorted([uuid.UUID(int=3), uuid.UUID(int=1)]))
