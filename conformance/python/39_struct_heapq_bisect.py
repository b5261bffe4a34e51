# struct packing, heapq priority queues, bisect insertion points.
import bisect
import heapq
import struct

packed = struct.pack("<IhB3s", 0xDEADBEEF, -2, 255, b"abc")
print(packed.hex(), len(packed), struct.calcsize("<IhB3s"), struct.calcsize(">Q"))
print(struct.unpack("<IhB3s", packed), struct.unpack(">I", b"\x00\x00\x01\x00"))
print(struct.pack(">d", 1.5).hex(), struct.unpack("<f", struct.pack("<f", 0.1))[0])
print(list(struct.iter_unpack("<H", b"\x01\x00\x02\x00")), struct.pack("!H?", 513, True))

heap = []
for item in [(3, "c"), (1, "a"), (4, "d"), (1, "aa"), (5, "e"), (2, "b")]:
    heapq.heappush(heap, item)
print([heapq.heappop(heap) for _ in range(3)], heap[0])
nums = [9, 1, 8, 2, 7, 3]
heapq.heapify(nums)
print(nums[0], heapq.nsmallest(3, [9, 1, 8, 2, 7, 3]), heapq.nlargest(2, "hello"))
print(heapq.heappushpop([1, 5], 3), list(heapq.merge([1, 4, 7], [2, 5], [3, 6, 9])))
print(heapq.nsmallest(2, ["bb", "a", "ccc"], key=len), heapq.heapreplace([0, 5, 9], 6))

grades = [60, 70, 80, 90]
print([("FDCBA")[bisect.bisect(grades, s)] for s in [33, 60, 75, 90, 100]])
data = [1, 2, 2, 2, 5]
print(bisect.bisect_left(data, 2), bisect.bisect_right(data, 2), bisect.bisect_left(data, 9))
bisect.insort(data, 3)
bisect.insort_left(data, 0)
print(data, bisect.bisect_left(["apple", "fig", "kiwi"], "grape"))
records = [("a", 1), ("b", 5), ("c", 9)]
print(bisect.bisect_left(records, 5, key=lambda r: r[1]))
