# printf-style % formatting for str and bytes.
print("%s is %d years and %.1f%% done" % ("Ada", 36, 99.5))
print("%5s|%-5s|%05d|%+d|% d|%x|%X|%o|%#x|%#o" % ("r", "l", 42, 42, 42, 255, 255, 8, 255, 8))
print("%e|%.2E|%g|%G|%10.4f|%-10.2f|" % (12345.678, 0.000123, 0.00001, 1e20, 3.14159, 2.5))
print("%(name)s has %(count)03d items" % {"name": "cart", "count": 7})
print("%c%c%c" % (72, "i", 33), "%r and %a" % ("é", "é"), "%*d|%-*d|" % (5, 1, 4, 2))
print("%.3s|%5.1s|" % ("abcdef", "xyz"), "%i %u" % (3.9, 4))
print(b"%s=%d %b" % (b"key", 10, b"bytes"), b"%x" % 255, b"%5.2f" % 1.005)
for bad in [("%d", "x"), ("%s %s", ("one",)), ("%z", 1)]:
    try:
        bad[0] % bad[1]
    except (TypeError, ValueError) as e:
        print(type(e).__name__)
print("100%% sure" % (), "%s" % [1, 2], "%s" % ((1, 2),))
