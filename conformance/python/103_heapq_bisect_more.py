# heapq merges and selections; bisect with key functions.
import bisect
import heapq

print(list(heapq.merge([1, 4, 9], [2, 3, 10], [0])), list(heapq.merge("ace", "bd", reverse=False)))
print(list(heapq.merge([9, 4, 1], [8, 2], reverse=True)), list(heapq.merge(["bb", "a"], ["ccc"], key=len)))
data = [5, 1, 8, 3, 9, 2, 7]
print(heapq.nlargest(3, data), heapq.nsmallest(2, data), heapq.nsmallest(2, ["pear", "fig", "kiwi"], key=len))
h = list(data)
heapq.heapify(h)
print(h[0], heapq.heappushpop(h, 0), heapq.heapreplace(h, 100), [heapq.heappop(h) for _ in range(3)])
tasks = []
for priority, name in [(2, "write"), (1, "read"), (3, "sleep"), (1, "alpha")]:
    heapq.heappush(tasks, (priority, name))
print([heapq.heappop(tasks) for _ in range(len(tasks))])
records = [("ann", 21), ("bob", 35), ("cy", 50)]
print(bisect.bisect_left(records, 35, key=lambda r: r[1]), bisect.bisect_right([1, 2, 2, 3], 2))
bisect.insort(records, ("dee", 30), key=lambda r: r[1])
print(records)
grades = "FDCBA"
print([grades[bisect.bisect([60, 70, 80, 90], score)] for score in (33, 60, 99, 77, 89, 90)])
