package validate

func (c *checker) checkMirrors() {}
