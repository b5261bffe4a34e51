// an executor
