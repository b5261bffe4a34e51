# csv: reading and writing through StringIO, quoting rules, dialects and DictReader/DictWriter.
import csv
import io

text = 'name,qty,note\r\n"Smith, J",3,"said ""hi"""\r\nLee,,"multi\nline"\r\n'
rows = list(csv.reader(io.StringIO(text, newline="")))
print(rows)
for row in csv.DictReader(io.StringIO(text, newline="")):
    print(dict(row))
out = io.StringIO()
writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
writer.writerow(["plain", "with,comma", 'with "quote"', 1.5, None])
writer.writerows([["a", "b"], ["line\nbreak", ""]])
print(repr(out.getvalue()))
out = io.StringIO()
dw = csv.DictWriter(out, fieldnames=["id", "label"], quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
dw.writeheader()
dw.writerow({"id": 1, "label": "one"})
print(out.getvalue(), end="")
print(list(csv.reader(["a;b;'c;d'"], delimiter=";", quotechar="'")))
print(list(csv.reader(["x\ty"], dialect="excel-tab")), csv.QUOTE_ALL != csv.QUOTE_NONE)
