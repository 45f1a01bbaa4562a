module gorleakcorpus/labels

go 1.19
