# aws_imagebuilder_image, aws_imagebuilder_image_pipeline (image_test.go, image_pipeline_test.go)

resource "aws_imagebuilder_image" "test" {
  image_recipe_arn                 = aws_imagebuilder_image_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  distribution_configuration_arn   = aws_imagebuilder_distribution_configuration.test.arn
  enhanced_image_metadata_enabled  = false

  image_tests_configuration {
    image_tests_enabled = true
    timeout_minutes     = 721
  }

  tags = local.tags
}

resource "aws_imagebuilder_image" "workflows" {
  image_recipe_arn                 = aws_imagebuilder_image_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  execution_role                   = aws_iam_role.imagebuilder.arn

  workflow {
    workflow_arn = aws_imagebuilder_workflow.build.arn
  }

  workflow {
    workflow_arn = aws_imagebuilder_workflow.test.arn
    on_failure   = "CONTINUE"
  }
}

resource "aws_imagebuilder_image" "container" {
  container_recipe_arn             = aws_imagebuilder_container_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  distribution_configuration_arn   = aws_imagebuilder_distribution_configuration.container.arn

  image_scanning_configuration {
    image_scanning_enabled = true
    ecr_configuration {
      repository_name = aws_ecr_repository.test.name
      container_tags  = ["scan"]
    }
  }
}

resource "aws_imagebuilder_image_pipeline" "test" {
  name                             = var.name
  description                      = local.updated ? "updated" : "first"
  image_recipe_arn                 = aws_imagebuilder_image_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  distribution_configuration_arn   = aws_imagebuilder_distribution_configuration.test.arn
  status                           = local.updated ? "DISABLED" : "ENABLED"

  image_tests_configuration {
    timeout_minutes = local.updated ? 90 : 60
  }

  schedule {
    schedule_expression                = local.updated ? "cron(0 1 * * ? *)" : "cron(0 0 * * ? *)"
    pipeline_execution_start_condition = "EXPRESSION_MATCH_ONLY"
  }

  tags = local.tags
}

resource "aws_imagebuilder_image_pipeline" "container" {
  name                             = "${var.name}-container"
  container_recipe_arn             = aws_imagebuilder_container_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  enhanced_image_metadata_enabled  = local.updated

  # timezone only here: provider 5.100.0's image pipeline data source (read on pipeline "test")
  # fails on a schedule with a timezone ("Invalid address to set"), a provider bug
  schedule {
    schedule_expression = "rate(7 days)"
    timezone            = local.updated ? "Europe/Paris" : "Etc/UTC"
  }
}

resource "aws_imagebuilder_image_pipeline" "workflows" {
  name                             = "${var.name}-workflows"
  image_recipe_arn                 = aws_imagebuilder_image_recipe.test.arn
  infrastructure_configuration_arn = aws_imagebuilder_infrastructure_configuration.test.arn
  execution_role                   = aws_iam_role.imagebuilder.arn

  workflow {
    workflow_arn = aws_imagebuilder_workflow.build.arn
  }

  workflow {
    workflow_arn   = aws_imagebuilder_workflow.test.arn
    on_failure     = local.updated ? "CONTINUE" : "ABORT"
    parallel_group = "tests"
  }
}
