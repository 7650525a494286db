package validate

func (c *checker) checkGitLabs() {}
