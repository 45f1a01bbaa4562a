module gorleakcorpus/healthy-ticker

go 1.19
