print("hi", 1+1)
