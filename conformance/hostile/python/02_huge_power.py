# 10**10**8 has a hundred million digits: bignum multiplication inside the interpreter, no
# Python loop to interrupt, for minutes. The deadline stops it long before memory runs out.
x = 10 ** 10 ** 8
print(x.bit_length())
