module gorleakcorpus/healthy-mixed

go 1.19
