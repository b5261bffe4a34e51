// One 1 GiB ArrayBuffer, far over the cap.
print(new ArrayBuffer(2 ** 30).byteLength);
