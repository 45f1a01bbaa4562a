module gorleakfault

go 1.19
