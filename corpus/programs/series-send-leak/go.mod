module gorleakcorpus/series-send-leak

go 1.19
