package validate

// Checks not written yet; each moves to its kind's file.
func (c *checker) checkNetworks()        {}
func (c *checker) checkTransitGateways() {}
func (c *checker) checkGitLabs()         {}
func (c *checker) checkMirrors()         {}
func (c *checker) checkImageRecipes()    {}
func (c *checker) checkComponents()      {}
func (c *checker) checkPipelines()       {}
