# Every aws_imagebuilder_* data source, read back from what this configuration made (*_data_source_test.go)

data "aws_imagebuilder_component" "test" { arn = aws_imagebuilder_component.test.arn }
data "aws_imagebuilder_container_recipe" "test" { arn = aws_imagebuilder_container_recipe.test.arn }
data "aws_imagebuilder_distribution_configuration" "test" { arn = aws_imagebuilder_distribution_configuration.test.arn }
data "aws_imagebuilder_image" "test" { arn = aws_imagebuilder_image.test.arn }
data "aws_imagebuilder_image_pipeline" "test" { arn = aws_imagebuilder_image_pipeline.test.arn }
data "aws_imagebuilder_image_recipe" "test" { arn = aws_imagebuilder_image_recipe.test.arn }
data "aws_imagebuilder_infrastructure_configuration" "test" {
  arn = aws_imagebuilder_infrastructure_configuration.test.arn
}

data "aws_imagebuilder_components" "test" {
  owner = "Self"
  filter {
    name   = "name"
    values = [aws_imagebuilder_component.test.name]
  }
}

data "aws_imagebuilder_container_recipes" "test" {
  owner = "Self"
  filter {
    name   = "name"
    values = [aws_imagebuilder_container_recipe.test.name]
  }
}

data "aws_imagebuilder_distribution_configurations" "test" {
  filter {
    name   = "name"
    values = [aws_imagebuilder_distribution_configuration.test.name]
  }
}

data "aws_imagebuilder_image_pipelines" "test" {
  filter {
    name   = "name"
    values = [aws_imagebuilder_image_pipeline.test.name]
  }
}

data "aws_imagebuilder_image_recipes" "test" {
  owner = "Self"
  filter {
    name   = "name"
    values = [aws_imagebuilder_image_recipe.test.name]
  }
}

data "aws_imagebuilder_infrastructure_configurations" "test" {
  filter {
    name   = "name"
    values = [aws_imagebuilder_infrastructure_configuration.test.name]
  }
}
